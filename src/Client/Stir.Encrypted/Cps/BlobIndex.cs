using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cps;

/// <summary>
/// The index of a call at the CPS (spec/protocol.md §5): the full 32-byte <see cref="Tag"/> that callers and
/// callees bind into the blob as HPKE <c>info</c>, and the short <see cref="Bucket"/> that is all the CPS ever
/// sees. It depends on (orig, dest, epoch) only, not on any key: every key holder of the called number fetches
/// the same bucket, where the call's one blob (sealed to all of them, §4) arrives as a single slot renewal.
/// </summary>
public sealed class BlobIndex
{
    /// <summary>The tag length in bytes.</summary>
    public const int TagSize = 32;

    /// <summary>The destination key length in bytes.</summary>
    public const int DestinationKeySize = 32;

    private static readonly byte[] SaltLabel = Encoding.ASCII.GetBytes("stir-oob/v1/salt\0");
    private static readonly byte[] DestLabel = Encoding.ASCII.GetBytes("stir-oob/v1/dest\0");
    private static readonly byte[] TagLabel = Encoding.ASCII.GetBytes("stir-oob/v1/tag\0");
    private static readonly byte[] InfoLabel = Encoding.ASCII.GetBytes("stir-oob/v1/blob\0");

    private readonly byte[] _tag;

    private BlobIndex(ulong epoch, byte[] tag, int bucketBits)
    {
        Epoch = epoch;
        _tag = tag;
        BucketBits = bucketBits;
        Bucket = BinaryPrimitives.ReadUInt32BigEndian(tag) >> (32 - bucketBits);
    }

    /// <summary>The epoch the index belongs to.</summary>
    public ulong Epoch { get; }

    /// <summary>The full tag (secret from the CPS; bound into the blob as HPKE info).</summary>
    public ReadOnlySpan<byte> Tag => _tag;

    /// <summary>The bucket: the first <see cref="BucketBits"/> bits of the tag.</summary>
    public uint Bucket { get; }

    /// <summary>The bucket width in bits.</summary>
    public int BucketBits { get; }

    /// <summary>The bucket as it appears in CPS URLs: ⌈b/4⌉ lowercase hex digits.</summary>
    public string BucketText => FormatBucket(Bucket, BucketBits);

    /// <summary>The HPKE <c>info</c> for blobs of this index (spec/protocol.md §4).</summary>
    public byte[] HpkeInfo()
    {
        var info = new byte[InfoLabel.Length + TagSize];
        InfoLabel.CopyTo(info, 0);
        _tag.CopyTo(info, InfoLabel.Length);
        return info;
    }

    /// <summary>
    /// Derives the index of a call from <paramref name="orig"/> to <paramref name="dest"/> in
    /// <paramref name="epoch"/>. This runs Argon2id (tens of milliseconds at the default cost); callers that
    /// place many calls keep destination keys in a <see cref="DestinationKeyCache"/>.
    /// </summary>
    public static BlobIndex Derive(IndexParameters parameters, TelephoneNumber orig, TelephoneNumber dest, ulong epoch)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return FromDestinationKey(parameters, DeriveDestinationKey(parameters, dest, epoch), orig, dest, epoch);
    }

    // spec/protocol.md §5: salt_e and K_dest_e (Argon2id, RFC 9106).
    internal static byte[] DeriveDestinationKey(IndexParameters parameters, TelephoneNumber dest, ulong epoch)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(dest);

        Span<byte> saltInput = stackalloc byte[SaltLabel.Length + IndexParameters.SaltSize + 8];
        SaltLabel.CopyTo(saltInput);
        parameters.Salt.CopyTo(saltInput[SaltLabel.Length..]);
        BinaryPrimitives.WriteUInt64BigEndian(saltInput[(SaltLabel.Length + IndexParameters.SaltSize)..], epoch);
        Span<byte> saltHash = stackalloc byte[32];
        SHA256.HashData(saltInput, saltHash);

        var password = new byte[DestLabel.Length + dest.Value.Length];
        DestLabel.CopyTo(password, 0);
        Encoding.ASCII.GetBytes(dest.Value, password.AsSpan(DestLabel.Length));

        var argon2 = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = parameters.Parallelism,
            MemorySize = parameters.MemoryKiB,
            NumberOfPasses = parameters.Iterations,
        });
        return argon2.DeriveBytes(password, saltHash[..16], DestinationKeySize);
    }

    // spec/protocol.md §5: tag = HMAC-SHA256(K_dest_e, label ‖ u8 len ‖ orig ‖ u8 len ‖ dest ‖ u64be e). No key
    // of a holder enters it: one index, one bucket and one blob per call, whatever the number of holders (§4).
    internal static BlobIndex FromDestinationKey(IndexParameters parameters, ReadOnlySpan<byte> destinationKey, TelephoneNumber orig, TelephoneNumber dest, ulong epoch)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(orig);
        ArgumentNullException.ThrowIfNull(dest);
        if (destinationKey.Length != DestinationKeySize)
        {
            throw new ArgumentException($"a destination key is {DestinationKeySize} bytes", nameof(destinationKey));
        }

        Span<byte> message = stackalloc byte[TagLabel.Length + 1 + TelephoneNumber.MaxLength + 1 + TelephoneNumber.MaxLength + 8];
        var n = 0;
        TagLabel.CopyTo(message);
        n += TagLabel.Length;
        message[n++] = (byte)orig.Value.Length;
        n += Encoding.ASCII.GetBytes(orig.Value, message[n..]);
        message[n++] = (byte)dest.Value.Length;
        n += Encoding.ASCII.GetBytes(dest.Value, message[n..]);
        BinaryPrimitives.WriteUInt64BigEndian(message[n..], epoch);
        n += 8;

        var tag = new byte[TagSize];
        HMACSHA256.HashData(destinationKey, message[..n], tag);
        return new BlobIndex(epoch, tag, parameters.BucketBits);
    }

    /// <summary>Formats a bucket number as ⌈b/4⌉ lowercase hex digits.</summary>
    public static string FormatBucket(uint bucket, int bucketBits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketBits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bucketBits, 32);
        if (bucketBits < 32 && bucket >> bucketBits != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bucket), $"bucket {bucket} does not fit in {bucketBits} bits");
        }

        return bucket.ToString("x", System.Globalization.CultureInfo.InvariantCulture).PadLeft((bucketBits + 3) / 4, '0');
    }

    /// <summary>
    /// Parses a bucket from a URL: exactly ⌈b/4⌉ lowercase hex digits, value below 2^b. Returns false and a
    /// reason otherwise (the CPS turns it into a problem response).
    /// </summary>
    public static bool TryParseBucket(string text, int bucketBits, out uint bucket, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        bucket = 0;
        var digits = (bucketBits + 3) / 4;
        if (text.Length != digits)
        {
            error = $"a bucket is exactly {digits} lowercase hex digits; got {text.Length} characters";
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var value = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : -1;
            if (value < 0)
            {
                error = $"character {i + 1} of the bucket is not a lowercase hex digit";
                return false;
            }

            bucket = (bucket << 4) | (uint)value;
        }

        if (bucketBits < 32 && bucket >> bucketBits != 0)
        {
            error = $"bucket value is {bucket}, at or above 2^{bucketBits}";
            return false;
        }

        error = null;
        return true;
    }
}
