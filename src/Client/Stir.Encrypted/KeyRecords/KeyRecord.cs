using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.KeyRecords;

/// <summary>
/// A key record or a revocation of the credential directory, parsed but not verified (spec/protocol.md §10): a
/// compact ES256 JWS with header <c>{"alg":"ES256","typ":"stir-key-record+jwt","x5c":[...]}</c> and canonical
/// JSON claims. <see cref="KeyRecordVerifier"/> decides whether to believe it; nothing here is trusted.
/// </summary>
/// <remarks>
/// The identity of an entry is (<see cref="Holder"/>, <see cref="Rid"/>): the holder is the hash of the signing
/// key, so only that key can publish a higher <see cref="Seq"/> for the rid, or revoke it.
/// </remarks>
public sealed class KeyRecord
{
    /// <summary>The JWS <c>typ</c> of key records and revocations.</summary>
    public const string MediaType = "stir-key-record+jwt";

    /// <summary>The longest token accepted, in characters.</summary>
    public const int MaxTokenLength = 16 * 1024;

    /// <summary>The largest decoded header accepted (it carries the x5c chain), in bytes.</summary>
    public const int MaxHeaderBytes = 8 * 1024;

    /// <summary>The most entries of <c>tn</c>.</summary>
    public const int MaxNumbers = 256;

    /// <summary>The most entries of <c>tnr</c>.</summary>
    public const int MaxRanges = 64;

    /// <summary>The longest <c>rid</c>.</summary>
    public const int MaxRidLength = 64;

    /// <summary>The largest <c>seq</c>: 2^53 − 1, so that every JSON implementation reads it exactly.</summary>
    public const long MaxSeq = (1L << 53) - 1;

    private readonly byte[][] _chain;

    internal KeyRecord(
        string token,
        byte[] signingInput,
        byte[] signature,
        IReadOnlyList<string> x5c,
        byte[][] chain,
        string holder,
        KeyRecordKind kind,
        string rid,
        long seq,
        long iat,
        KeyRecordKeyMaterial? key,
        long nbf,
        long exp,
        IReadOnlyList<TelephoneNumber> numbers,
        IReadOnlyList<TelephoneNumberRange> ranges,
        KeyRecordRole? role)
    {
        Token = token;
        SigningInput = signingInput;
        Signature = signature;
        X5c = x5c;
        _chain = chain;
        Holder = holder;
        Kind = kind;
        Rid = rid;
        Seq = seq;
        Iat = iat;
        Key = key;
        Nbf = nbf;
        Exp = exp;
        Numbers = numbers;
        Ranges = ranges;
        Role = role;
        // What was signed, not the token: ECDSA accepts (r, n − s) beside (r, s), so a record has two spellings that
        // verify, and a hash of the token would let a directory show the second as an equivocation (spec §10).
        Hash = StrictBase64.EncodeUrl(SHA256.HashData(signingInput));
    }

    /// <summary>The token exactly as received.</summary>
    public string Token { get; }

    /// <summary>Record or revocation.</summary>
    public KeyRecordKind Kind { get; }

    /// <summary>base64url(SHA-256(SubjectPublicKeyInfo)) of the signing certificate (<see cref="KeyRecordHolder"/>).</summary>
    public string Holder { get; }

    /// <summary><c>rid</c>: the holder's name for this key slot, 1 to 64 of <c>A-Z a-z 0-9 . _ -</c>.</summary>
    public string Rid { get; }

    /// <summary><c>seq</c>: the publication number of (holder, rid), from 1; a higher one supersedes.</summary>
    public long Seq { get; }

    /// <summary><c>iat</c> as a point in time.</summary>
    public DateTimeOffset IssuedAt => DateTimeOffset.FromUnixTimeSeconds(Iat);

    /// <summary><c>nbf</c> as a point in time; null for a revocation.</summary>
    public DateTimeOffset? NotBefore => Kind == KeyRecordKind.Record ? DateTimeOffset.FromUnixTimeSeconds(Nbf) : null;

    /// <summary><c>exp</c> as a point in time; null for a revocation.</summary>
    public DateTimeOffset? Expires => Kind == KeyRecordKind.Record ? DateTimeOffset.FromUnixTimeSeconds(Exp) : null;

    /// <summary><c>hpke.suite</c> as written; null for a revocation. Whether it is supported is the verifier's question.</summary>
    public string? Suite => Key?.Suite;

    /// <summary><c>hpke.pk</c> decoded; empty for a revocation. It is imported (and checked) by the verifier.</summary>
    public ReadOnlyMemory<byte> PublicKey => Key?.PublicKey ?? ReadOnlyMemory<byte>.Empty;

    /// <summary><c>tn</c>: the single numbers the key is for (canonical form); empty when absent.</summary>
    public IReadOnlyList<TelephoneNumber> Numbers { get; }

    /// <summary><c>tnr</c>: the ranges the key is for; empty when absent.</summary>
    public IReadOnlyList<TelephoneNumberRange> Ranges { get; }

    /// <summary><c>role</c>; null when absent (and for revocations).</summary>
    public KeyRecordRole? Role { get; }

    /// <summary>base64url(SHA-256(signing input)), the hash of what was signed: what ledgers compare to detect equivocation.</summary>
    public string Hash { get; }

    /// <summary>The <c>x5c</c> certificates, DER, end entity first.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Chain => [.. _chain.Select(c => (ReadOnlyMemory<byte>)c)];

    internal long Iat { get; }

    internal long Nbf { get; }

    internal long Exp { get; }

    internal KeyRecordKeyMaterial? Key { get; }

    internal byte[] SigningInput { get; }

    internal byte[] Signature { get; }

    internal IReadOnlyList<string> X5c { get; }

    /// <summary>The (holder, rid) key of the entry, as directories and ledgers index it: <c>holder|rid</c>.</summary>
    internal string EntryKey => EntryKeyOf(Holder, Rid);

    /// <summary>Parses a key record or revocation.</summary>
    /// <exception cref="KeyRecordFormatException">The token breaks a rule of spec/protocol.md §10; the message names it.</exception>
    public static KeyRecord Parse(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return KeyRecordParser.Parse(token);
    }

    /// <summary>Like <see cref="Parse"/>, returning false and the reason instead of throwing.</summary>
    public static bool TryParse(string token, [NotNullWhen(true)] out KeyRecord? record, [NotNullWhen(false)] out KeyRecordFormatException? error)
    {
        ArgumentNullException.ThrowIfNull(token);
        try
        {
            record = KeyRecordParser.Parse(token);
            error = null;
            return true;
        }
        catch (KeyRecordFormatException e)
        {
            record = null;
            error = e;
            return false;
        }
    }

    /// <summary>Names the entry (rid, seq, kind, holder prefix); never a number or a key.</summary>
    public override string ToString() => $"{(Kind == KeyRecordKind.Record ? "key record" : "revocation")} rid={Rid} seq={Seq} holder={Holder[..8]}…";

    internal static string EntryKeyOf(string holder, string rid) => holder + "|" + rid;
}

/// <summary>The <c>hpke</c> member of a key record as written, before the verifier imports the key.</summary>
internal sealed record KeyRecordKeyMaterial(string Suite, byte[] PublicKey);
