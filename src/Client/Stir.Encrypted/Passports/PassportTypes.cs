namespace Stir.Encrypted.Passports;

/// <summary>
/// The PASSporT types (<c>ppt</c> header values, RFC 8225 §8.1) this implementation understands. A relying
/// party must fail a PASSporT with any other <c>ppt</c> (RFC 8225 §8.1), so the parser rejects the rest.
/// </summary>
public static class PassportTypes
{
    /// <summary>No <c>ppt</c>: a baseline PASSporT (RFC 8225). Used in <see cref="PassportVerifierOptions.AllowedPpts"/>.</summary>
    public const string Baseline = "";

    /// <summary>SHAKEN (RFC 8588): adds <c>attest</c> and <c>origid</c>.</summary>
    public const string Shaken = "shaken";

    /// <summary>Diversion (RFC 8946 §3): adds <c>div</c>; signed by the retargeting entity.</summary>
    public const string Div = "div";

    /// <summary>Diversion with the original nested in <c>opt</c> (RFC 8946 §5), for out-of-band use.</summary>
    public const string DivO = "div-o";

    /// <summary>Every <c>ppt</c> value the parser accepts.</summary>
    public static IReadOnlyList<string> Supported { get; } = Array.AsReadOnly([Shaken, Div, DivO]);

    internal static bool IsSupported(string ppt) => ppt is Shaken or Div or DivO;

    internal static bool IsDiversion(string? ppt) => ppt is Div or DivO;
}
