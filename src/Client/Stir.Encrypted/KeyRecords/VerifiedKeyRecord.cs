using Stir.Encrypted.Certificates;
using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.KeyRecords;

/// <summary>A key record that passed every check of <see cref="KeyRecordVerifier"/>: a key a caller may encrypt to.</summary>
public sealed class VerifiedKeyRecord
{
    internal VerifiedKeyRecord(KeyRecord record, HpkeSuite suite, HpkePublicKey publicKey, StirCertificate certificate)
    {
        Record = record;
        Suite = suite;
        PublicKey = publicKey;
        Certificate = certificate;
    }

    /// <summary>The record.</summary>
    public KeyRecord Record { get; }

    /// <summary>The record's HPKE suite.</summary>
    public HpkeSuite Suite { get; }

    /// <summary>The record's public key, imported and validated for the suite's KEM.</summary>
    public HpkePublicKey PublicKey { get; }

    /// <summary>The signer's validated certificate.</summary>
    public StirCertificate Certificate { get; }

    /// <summary>Names the entry; never a key or number.</summary>
    public override string ToString() => Record.ToString();
}
