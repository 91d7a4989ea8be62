namespace Stir.Encrypted.KeyRecords;

/// <summary>
/// A key record or revocation from outside is malformed: the one exception type of this format. The first
/// broken rule stops parsing; the message names the field, the rule and the value, e.g.
/// <c>key record "claims.seq": 0 is below 1 (seq counts publications of a rid from 1)</c>.
/// </summary>
public sealed class KeyRecordFormatException : FormatException
{
    internal KeyRecordFormatException(string field, string reason)
        : base(field.Length == 0 ? $"key record: {reason}" : $"key record \"{field}\": {reason}")
    {
        Field = field;
        Reason = reason;
    }

    /// <summary>
    /// Where the fault is: <c>token</c>, <c>signature</c>, <c>header</c> or <c>claims</c>, then the member path
    /// (<c>header.x5c[0]</c>, <c>claims.tnr[1].count</c>).
    /// </summary>
    public string Field { get; }

    /// <summary>The rule broken and the values involved, without the field.</summary>
    public string Reason { get; }
}
