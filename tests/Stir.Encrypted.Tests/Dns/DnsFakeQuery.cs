using System.Buffers.Binary;
using System.Text;

namespace Stir.Encrypted.Tests.Dns;

/// <summary>What the fake server was asked: the header ID, the question, the transport and the raw bytes.</summary>
internal sealed record DnsFakeQuery(ushort Id, string Name, ushort Type, bool Tcp, byte[] Raw)
{
    public const ushort TypeNaptr = 35;

    public static DnsFakeQuery Parse(byte[] message, bool tcp)
    {
        var id = BinaryPrimitives.ReadUInt16BigEndian(message);
        var offset = 12;
        var labels = new List<string>();
        while (message[offset] != 0)
        {
            var length = message[offset++];
            labels.Add(Encoding.ASCII.GetString(message, offset, length));
            offset += length;
        }

        offset++;
        var type = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(offset));
        return new DnsFakeQuery(id, string.Join('.', labels).ToLowerInvariant() + ".", type, tcp, message);
    }
}
