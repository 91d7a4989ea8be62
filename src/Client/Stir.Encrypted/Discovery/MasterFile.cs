using System.Globalization;
using System.Text;

namespace Stir.Encrypted.Discovery;

/// <summary>RFC 1035 §5.1 master-file text: quoted character-strings with <c>\</c> escapes.</summary>
internal static class MasterFile
{
    /// <summary>
    /// A <c>&lt;character-string&gt;</c> in quotes: <c>\</c> and <c>"</c> escaped with a backslash, anything
    /// outside printable ASCII as <c>\DDD</c> (decimal), so that a DNS server reads back exactly the same octets.
    /// </summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 8);
        sb.Append('"');
        foreach (var c in value)
        {
            if (c is '\\' or '"')
            {
                sb.Append('\\').Append(c);
            }
            else if (c < 0x20 || c > 0x7E)
            {
                // Callers only hand in ASCII (URLs are checked); anything else would not be one octet.
                if (c > 0xFF)
                {
                    throw new ArgumentException($"character U+{(int)c:X4} is not one octet; master-file strings here are ASCII", nameof(value));
                }

                sb.Append('\\').Append(((int)c).ToString("D3", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.Append('"').ToString();
    }
}
