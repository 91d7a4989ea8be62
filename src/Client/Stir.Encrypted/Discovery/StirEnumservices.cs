namespace Stir.Encrypted.Discovery;

/// <summary>
/// The two enumservices Stir.Encrypted defines for discovery (spec/enumservices.md). Neither is registered
/// with IANA. They use the "X-" facet that RFC 6116 §3.4.3.1 sets aside for experiments.
/// </summary>
internal static class StirEnumservices
{
    /// <summary>The Call Placement Service base URL, <c>E2U+x-stir-cps:https</c>.</summary>
    public const string Cps = "x-stir-cps:https";

    /// <summary>The credential directory base URL, <c>E2U+x-stir-dir:https</c>.</summary>
    public const string Directory = "x-stir-dir:https";
}
