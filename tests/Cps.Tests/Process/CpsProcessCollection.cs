namespace Stir.Encrypted.Cps.Tests.Processes;

/// <summary>
/// Tests that run the CPS as a real process. They run one at a time and apart from the in-memory tests: the kill
/// loop and the flood measure a process on a 2-core machine, and other tests' load would only blur what they see.
/// </summary>
/// <remarks>The namespace is not <c>...Tests.Process</c>: that would hide <c>System.Diagnostics.Process</c> from every
/// other test namespace under <c>Stir.Encrypted.Cps.Tests</c>.</remarks>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CpsProcessCollection
{
    public const string Name = "CPS as a real process";
}
