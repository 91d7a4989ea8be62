namespace Stir.Encrypted.KeyRecords;

/// <summary>What a signed key-directory entry says (spec/protocol.md §10).</summary>
public enum KeyRecordKind
{
    /// <summary>A key record: an HPKE public key for the numbers it lists.</summary>
    Record,

    /// <summary>A revocation: the holder withdraws its rid up to this seq.</summary>
    Revocation,
}
