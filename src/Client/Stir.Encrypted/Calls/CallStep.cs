namespace Stir.Encrypted.Calls;

/// <summary>One step of a store or a verification, how long it took, and what it found.</summary>
public sealed record CallStep(string Name, TimeSpan Duration, string Detail);
