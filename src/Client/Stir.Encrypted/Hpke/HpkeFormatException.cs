namespace Stir.Encrypted.Hpke;

/// <summary>
/// An HPKE key or suite name from outside (a file, a directory entry, a configuration value, a command
/// line) is malformed or unsafe to use: the wrong length, a point that is not on the curve, a small-order
/// X25519 point, a scalar out of range, an unknown suite name. The message names what was being read,
/// the rule it breaks and the offending values (never key material).
/// </summary>
/// <remarks>
/// A ciphertext that does not open is not a format error: <see cref="HpkeSuite.TryOpen(HpkePrivateKey, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>
/// returns false for it, without saying why.
/// </remarks>
public sealed class HpkeFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="subject">What was being read, e.g. <c>X25519 public key</c> or <c>suite name</c>.</param>
    /// <param name="reason">The rule it breaks, with the offending values.</param>
    public HpkeFormatException(string subject, string reason)
        : base($"{subject}: {reason}")
    {
        Subject = subject;
        Reason = reason;
    }

    /// <summary>What was being read, e.g. <c>P-256 public key</c>.</summary>
    public string Subject { get; }

    /// <summary>The rule broken and the offending values, without the subject.</summary>
    public string Reason { get; }
}
