using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Jose;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Tests.Support;

/// <summary>
/// A development PKI on a fake clock with key-record holders: STIR end-entity certificates whose TNAuthList is
/// given in short text ("one:12025550123", "range:12025550100+100", "spc:709J"), each with a signer. Shared by the
/// key-record format tests and the directory tests (linked into tests/Directory.Tests).
/// </summary>
internal sealed class KeyRecordPki : IDisposable
{
    /// <summary>2030-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<IDisposable> _owned = [];

    public KeyRecordPki(FakeTimeProvider? time = null)
    {
        Time = time ?? new FakeTimeProvider(T0);
        Pki = DevelopmentPki.Create(Time);
        _owned.Add(Pki);
    }

    public FakeTimeProvider Time { get; }

    public DevelopmentPki Pki { get; }

    public X509Certificate2 Root => Pki.Root.Certificate;

    public string RootPem => Root.ExportCertificatePem() + "\n";

    public static TNAuthList List(params string[] entries) => new(entries.Select(Entry));

    public static TNEntry Entry(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var (kind, value) = (text[..colon], text[(colon + 1)..]);
        return kind switch
        {
            "spc" => new TNEntry.Spc(new ServiceProviderCode(value)),
            "one" => new TNEntry.One(TelephoneNumber.ParseCanonical(value)),
            "range" => new TNEntry.Range(TelephoneNumberRange.Parse(value)),
            _ => throw new ArgumentException($"unknown entry kind in {text}", nameof(text)),
        };
    }

    public static TelephoneNumber Tn(string canonical) => TelephoneNumber.ParseCanonical(canonical);

    public static TelephoneNumberRange Range(string text) => TelephoneNumberRange.Parse(text);

    /// <summary>A holder whose certificate (issued by the intermediate, valid 90 days unless told) covers <paramref name="entries"/>.</summary>
    public Holder Issue(string name, params string[] entries) => Issue(name, TimeSpan.FromDays(90), entries);

    public Holder Issue(string name, TimeSpan validity, params string[] entries)
    {
        var credential = Pki.IssueEndEntity(name, List(entries), validity);
        var holder = new Holder(credential, Time);
        _owned.Add(holder);
        return holder;
    }

    /// <summary>A holder from another, untrusted development PKI (same profile, different root), whose x5c carries that root too.</summary>
    public Holder IssueUntrusted(string name, params string[] entries)
    {
        var other = DevelopmentPki.Create(Time);
        _owned.Add(other);
        var credential = other.IssueEndEntity(name, List(entries), TimeSpan.FromDays(90));
        var holder = new Holder(credential, Time, [.. credential.Chain, other.Root.Certificate]);
        _owned.Add(holder);
        return holder;
    }

    public StirChainValidator Validator(SpcAuthorization? spc = null) =>
        new([Root], new StirChainValidatorOptions { TimeProvider = Time, SpcAuthorization = spc });

    public KeyRecordVerifier Verifier(KeyRecordVerifierOptions? options = null, SpcAuthorization? spc = null) => new(Validator(spc), options);

    public static HpkePublicKey NewHpkeKey()
    {
        using var key = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        return key.PublicKey;
    }

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
    }

    /// <summary>A key holder: its certificate, its ES256 key and a key-record signer on the PKI's clock.</summary>
    internal sealed class Holder : IDisposable
    {
        public Holder(DevelopmentCredential credential, TimeProvider time, IReadOnlyList<X509Certificate2>? chain = null)
        {
            Credential = credential;
            Chain = chain ?? credential.Chain;
            Key = PassportSigningKey.FromECDsa(credential.PrivateKey);
            Signer = new KeyRecordSigner(Key, Chain, time);
            Time = time;
        }

        public DevelopmentCredential Credential { get; }

        public PassportSigningKey Key { get; }

        public KeyRecordSigner Signer { get; }

        public TimeProvider Time { get; }

        public string Id => Signer.Holder;

        public IReadOnlyList<X509Certificate2> Chain { get; }

        /// <summary>The header every record of this holder carries (canonical).</summary>
        public string HeaderJson =>
            $"{{\"alg\":\"ES256\",\"typ\":\"stir-key-record+jwt\",\"x5c\":[{string.Join(',', Chain.Select(c => $"\"{Convert.ToBase64String(c.RawData)}\""))}]}}";

        /// <summary>A record for numbers and ranges ("12025550123", "12025550100+100"), valid from now for <paramref name="days"/>.</summary>
        public KeyRecord Record(string rid, long seq, string[] numbers, int days = 30, HpkePublicKey? key = null, KeyRecordRole? role = null)
        {
            var now = Time.GetUtcNow();
            return Signer.Sign(new KeyRecordContent
            {
                Rid = rid,
                Seq = seq,
                PublicKey = key ?? NewHpkeKey(),
                Numbers = [.. numbers.Where(n => !n.Contains('+', StringComparison.Ordinal)).Select(Tn)],
                Ranges = [.. numbers.Where(n => n.Contains('+', StringComparison.Ordinal)).Select(Range)],
                Role = role,
                Expires = now.AddDays(days),
            });
        }

        public KeyRecord Revocation(string rid, long seq) => Signer.Revoke(rid, seq);

        /// <summary>Any header and claims JSON text, signed with the holder's key exactly as given.</summary>
        public string SignRaw(string claimsJson, string? headerJson = null) =>
            CompactJws.Assemble(Encoding.UTF8.GetBytes(headerJson ?? HeaderJson), Encoding.UTF8.GetBytes(claimsJson), input => Key.Sign(input));

        public void Dispose()
        {
            Key.Dispose();
            Credential.Dispose();
        }
    }
}
