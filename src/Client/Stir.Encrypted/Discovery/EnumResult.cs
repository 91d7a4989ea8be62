namespace Stir.Encrypted.Discovery;

/// <summary>A terminal rule reached by an ENUM lookup, with the chain of domains that led to it.</summary>
internal sealed record EnumResult(EnumRule Rule, IReadOnlyList<string> Chain);
