namespace Stir.Encrypted.KeyRecords;

/// <summary>The optional <c>role</c> of a key holder for the numbers of its record (spec/protocol.md §10).</summary>
public enum KeyRecordRole
{
    /// <summary><c>carrier</c>: the service provider that serves the numbers.</summary>
    Carrier,

    /// <summary><c>reseller</c>: a provider reselling the carrier's numbers.</summary>
    Reseller,

    /// <summary><c>enterprise</c>: the organisation the numbers are assigned to (e.g. its PBX).</summary>
    Enterprise,

    /// <summary><c>user</c>: the person's own endpoint.</summary>
    User,
}
