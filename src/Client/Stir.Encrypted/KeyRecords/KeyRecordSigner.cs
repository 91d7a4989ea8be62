using System.Security.Cryptography.X509Certificates;
using Stir.Encrypted.Jose;
using Stir.Encrypted.Passports;

namespace Stir.Encrypted.KeyRecords;

/// <summary>
/// Signs key records and revocations (spec/protocol.md §10) with a STIR certificate's P-256 key: header and
/// claims in canonical JSON, ES256, the chain embedded as <c>x5c</c>. What it returns is parsed back, so it
/// never hands out a token the parser would refuse.
/// </summary>
public sealed class KeyRecordSigner
{
    private readonly PassportSigningKey _key;
    private readonly byte[] _header;
    private readonly TimeProvider _time;

    /// <summary>A signer with <paramref name="key"/> (not owned) whose certificate is <paramref name="chain"/>[0].</summary>
    /// <param name="key">The private key of the end-entity certificate.</param>
    /// <param name="chain">The certificate chain, end entity first (the trust anchor may be left out).</param>
    /// <param name="timeProvider">The clock for <c>iat</c>.</param>
    /// <exception cref="ArgumentException">The chain is empty or too long, or its end entity is not <paramref name="key"/>'s certificate.</exception>
    public KeyRecordSigner(PassportSigningKey key, IReadOnlyList<X509Certificate2> chain, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.Count is 0 or > Certificates.CertificateChain.MaxCertificates)
        {
            throw new ArgumentException($"a chain has 1 to {Certificates.CertificateChain.MaxCertificates} certificates, got {chain.Count}", nameof(chain));
        }

        using (var publicKey = key.ExportPublicKey())
        {
            var holder = KeyRecordHolder.Of(publicKey.ExportSubjectPublicKeyInfo());
            if (holder != KeyRecordHolder.Of(chain[0]))
            {
                throw new ArgumentException($"the signing key is not the key of {chain[0].Subject} (the first certificate of the chain)", nameof(key));
            }

            Holder = holder;
        }

        _key = key;
        _time = timeProvider ?? TimeProvider.System;
        var writer = new CanonicalJsonWriter();
        writer.WriteObject(
        [
            new("alg", w => w.WriteString("ES256")),
            new("typ", w => w.WriteString(KeyRecord.MediaType)),
            new("x5c", w => w.WriteArray(chain, (w2, c) => w2.WriteString(Convert.ToBase64String(c.RawData)))),
        ]);
        _header = writer.ToArray();
    }

    /// <summary>The holder identifier of the signing key.</summary>
    public string Holder { get; }

    /// <summary>Signs a key record.</summary>
    /// <exception cref="ArgumentException">The content breaks a rule of the format (rid, seq, no number, a range that carries, ...).</exception>
    public KeyRecord Sign(KeyRecordContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var iat = Seconds(content.IssuedAt ?? _time.GetUtcNow());
        var nbf = content.NotBefore is { } notBefore ? Seconds(notBefore) : iat;
        var exp = Seconds(content.Expires);
        var members = new List<KeyValuePair<string, Action<CanonicalJsonWriter>>>
        {
            new("hpke", w => w.WriteObject(
            [
                new("pk", w2 => w2.WriteString(StrictBase64.EncodeUrl(content.PublicKey.Bytes))),
                new("suite", w2 => w2.WriteString(content.Suite.Name)),
            ])),
            new("iat", w => w.WriteInteger(iat)),
            new("nbf", w => w.WriteInteger(nbf)),
            new("exp", w => w.WriteInteger(exp)),
            new("rid", w => w.WriteString(content.Rid)),
            new("seq", w => w.WriteInteger(content.Seq)),
        };
        if (content.Numbers.Count > 0)
        {
            members.Add(new("tn", w => w.WriteArray(content.Numbers, (w2, n) => w2.WriteString(n.Value))));
        }

        if (content.Ranges.Count > 0)
        {
            members.Add(new("tnr", w => w.WriteArray(content.Ranges, (w2, r) => w2.WriteObject(
            [
                new("count", w3 => w3.WriteInteger(r.Count)),
                new("start", w3 => w3.WriteString(r.Start.Value)),
            ]))));
        }

        if (content.Role is { } role)
        {
            members.Add(new("role", w => w.WriteString(KeyRecordParser.RoleName(role))));
        }

        return SignClaims(members, nameof(content));
    }

    /// <summary>Signs a revocation of <paramref name="rid"/>: it wins over every publication with a lower seq.</summary>
    /// <exception cref="ArgumentException">The rid or seq breaks a rule of the format.</exception>
    public KeyRecord Revoke(string rid, long seq, DateTimeOffset? issuedAt = null)
    {
        ArgumentNullException.ThrowIfNull(rid);
        var iat = Seconds(issuedAt ?? _time.GetUtcNow());
        return SignClaims(
        [
            new("iat", w => w.WriteInteger(iat)),
            new("rev", w => w.WriteBoolean(true)),
            new("rid", w => w.WriteString(rid)),
            new("seq", w => w.WriteInteger(seq)),
        ], nameof(rid));
    }

    private KeyRecord SignClaims(List<KeyValuePair<string, Action<CanonicalJsonWriter>>> members, string paramName)
    {
        var writer = new CanonicalJsonWriter();
        writer.WriteObject(members);
        var token = CompactJws.Assemble(_header, writer.WrittenSpan, input => _key.Sign(input));
        try
        {
            return KeyRecord.Parse(token);
        }
        catch (KeyRecordFormatException e)
        {
            throw new ArgumentException($"refusing to sign a key record that the directory and clients would reject: {e.Message}", paramName, e);
        }
    }

    private static long Seconds(DateTimeOffset t) => t.ToUnixTimeSeconds();
}
