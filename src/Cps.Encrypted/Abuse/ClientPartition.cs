using System.Net;
using System.Net.Sockets;

namespace Stir.Encrypted.CpsService.Abuse;

/// <summary>
/// The partition of a client: its IPv4 address, or a prefix of its IPv6 address (one subscriber usually holds a
/// whole /64, often a /48, so per-address limits would be trivial to escape): /64 for the rate limits, the storer
/// cap's <c>Ipv6PrefixLength</c> (/48 by default) for the storer cap. The key lives only in memory, or as an HMAC in
/// the cluster; it is never logged, exported or written to a file.
/// </summary>
internal static class ClientPartition
{
    /// <summary>The rate-limit partition: IPv4 address or IPv6 /64.</summary>
    public static string For(IPAddress? address) => For(address, 64);

    /// <summary>The IPv4 address, or the IPv6 address cut to its first <paramref name="ipv6PrefixLength"/> bits.</summary>
    public static string For(IPAddress? address, int ipv6PrefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ipv6PrefixLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ipv6PrefixLength, 128);
        if (address is null)
        {
            return "-";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        var whole = ipv6PrefixLength / 8;
        if (whole < 16)
        {
            bytes[whole] &= (byte)(0xff << (8 - (ipv6PrefixLength % 8)));
            bytes[(whole + 1)..].Clear();
        }

        return new IPAddress(bytes) + "/" + ipv6PrefixLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
