using System.Text;

namespace Stir.Encrypted.Tests.Dns;

/// <summary>Hand-built DNS messages (RFC 1035 §4.1, NAPTR RDATA of RFC 3403 §4.1, SOA for negative answers).</summary>
internal static class DnsMessage
{
    public const int NoError = 0;
    public const int ServFail = 2;
    public const int NxDomain = 3;
    public const int Refused = 5;

    /// <summary>A response to <paramref name="query"/>: its ID and question, the given code, flags and records.</summary>
    public static byte[] Response(DnsFakeQuery query, int rcode = NoError, bool truncated = false, IReadOnlyList<byte[]>? answers = null, IReadOnlyList<byte[]>? authorities = null)
    {
        answers ??= [];
        authorities ??= [];
        var m = new List<byte>(512);
        WriteUInt16(m, query.Id);
        var flags = 0x8000 | 0x0400 | 0x0100 | rcode; // QR, AA, RD copied
        if (truncated)
        {
            flags |= 0x0200;
        }

        WriteUInt16(m, (ushort)flags);
        WriteUInt16(m, 1);
        WriteUInt16(m, (ushort)answers.Count);
        WriteUInt16(m, (ushort)authorities.Count);
        WriteUInt16(m, 0);
        WriteName(m, query.Name);
        WriteUInt16(m, query.Type);
        WriteUInt16(m, 1);
        foreach (var rr in answers.Concat(authorities))
        {
            m.AddRange(rr);
        }

        return [.. m];
    }

    /// <summary>A NAPTR RR. A null <paramref name="owner"/> compresses to the question name (offset 12).</summary>
    public static byte[] Naptr(string? owner, ushort order, ushort preference, string flags, string services, string regexp, string replacement, uint ttl = 300)
    {
        var rdata = new List<byte>();
        WriteUInt16(rdata, order);
        WriteUInt16(rdata, preference);
        WriteCharacterString(rdata, flags);
        WriteCharacterString(rdata, services);
        WriteCharacterString(rdata, regexp);
        WriteName(rdata, replacement);
        return Record(owner, 35, ttl, rdata);
    }

    /// <summary>A SOA RR for the authority section of a negative answer (RFC 2308).</summary>
    public static byte[] Soa(string owner, uint ttl, uint minimum)
    {
        var rdata = new List<byte>();
        WriteName(rdata, "ns." + owner);
        WriteName(rdata, "hostmaster." + owner);
        foreach (var v in new uint[] { 1, 3600, 600, 86400, minimum })
        {
            WriteUInt32(rdata, v);
        }

        return Record(owner, 6, ttl, rdata);
    }

    private static byte[] Record(string? owner, ushort type, uint ttl, List<byte> rdata)
    {
        var rr = new List<byte>(rdata.Count + 32);
        if (owner is null)
        {
            rr.Add(0xC0);
            rr.Add(12);
        }
        else
        {
            WriteName(rr, owner);
        }

        WriteUInt16(rr, type);
        WriteUInt16(rr, 1);
        WriteUInt32(rr, ttl);
        WriteUInt16(rr, (ushort)rdata.Count);
        rr.AddRange(rdata);
        return [.. rr];
    }

    private static void WriteCharacterString(List<byte> m, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        m.Add(checked((byte)bytes.Length));
        m.AddRange(bytes);
    }

    private static void WriteName(List<byte> m, string name)
    {
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            m.Add((byte)label.Length);
            m.AddRange(Encoding.ASCII.GetBytes(label));
        }

        m.Add(0);
    }

    private static void WriteUInt16(List<byte> m, ushort v)
    {
        m.Add((byte)(v >> 8));
        m.Add((byte)v);
    }

    private static void WriteUInt32(List<byte> m, uint v)
    {
        WriteUInt16(m, (ushort)(v >> 16));
        WriteUInt16(m, (ushort)v);
    }
}
