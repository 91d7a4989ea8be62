using System.Net;
using System.Net.Sockets;

namespace Stir.Encrypted.CpsService.Abuse;

/// <summary>
/// The rate-limit partition of a client: its IPv4 address, or the /64 prefix of its IPv6 address (one
/// subscriber usually holds a whole /64, so per-address limits would be trivial to escape). The key lives only
/// in the limiter's memory; it is never logged or exported.
/// </summary>
internal static class ClientPartition
{
    public static string For(IPAddress? address)
    {
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
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString();
    }
}
