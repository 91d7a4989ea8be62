using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.CpsService.Abuse;

/// <summary>
/// Who a storer is, for the per-storer cap (spec/protocol.md §8 "Store", TM-61), and the only form in which the CPS
/// keeps it: <see cref="Tag"/>, an HMAC under the cover key of the storer's partition and of the bucket. The partition
/// is the storer certificate's public key when storer authentication is required, else the client's IPv4 address or
/// IPv6 prefix (<c>Cps:StorerCap:Ipv6PrefixLength</c>). The partition itself is never stored, logged or exported
/// (TM-15); binding the tag to the bucket also keeps a storer's entries in two buckets unlinkable in the store.
/// </summary>
internal readonly record struct StorerIdentity
{
    private const int TagBytes = 16;

    private StorerIdentity(string tag, bool authenticated)
    {
        Tag = tag;
        Authenticated = authenticated;
    }

    /// <summary>22 characters of base64url: the first 16 bytes of the HMAC.</summary>
    public string Tag { get; }

    /// <summary>Whether the storer is identified by its certificate (its cap is then the authenticated one).</summary>
    public bool Authenticated { get; }

    /// <summary>The identity of an anonymous storer, by its connection's address.</summary>
    public static StorerIdentity ForAddress(ReadOnlySpan<byte> coverKey, BucketKey bucket, System.Net.IPAddress? address, int ipv6PrefixLength) =>
        new(Derive(coverKey, bucket, "address\0" + ClientPartition.For(address, ipv6PrefixLength)), authenticated: false);

    /// <summary>The identity of an authenticated storer: <paramref name="publicKeyHash"/> is SHA-256 of its certificate's SubjectPublicKeyInfo.</summary>
    public static StorerIdentity ForCertificate(ReadOnlySpan<byte> coverKey, BucketKey bucket, ReadOnlySpan<byte> publicKeyHash) =>
        new(Derive(coverKey, bucket, "certificate\0" + Convert.ToHexStringLower(publicKeyHash)), authenticated: true);

    // A record struct would print the tag; the tag is not secret, but nothing about a storer belongs in a log line.
    public override string ToString() => "storer";

    private static string Derive(ReadOnlySpan<byte> coverKey, BucketKey bucket, string partition)
    {
        if (coverKey.Length == 0)
        {
            throw new ArgumentException("The cover key is empty.", nameof(coverKey));
        }

        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(coverKey, Encoding.UTF8.GetBytes($"stir-cps-storer\0{bucket}\0{partition}"), mac);
        return Base64Url.EncodeToString(mac[..TagBytes]);
    }
}
