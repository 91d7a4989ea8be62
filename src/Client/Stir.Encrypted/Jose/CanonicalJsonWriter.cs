using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Stir.Encrypted.Jose;

/// <summary>
/// Writes the deterministic JSON of RFC 8225 §9 that PASSporT headers and claims are signed in: no
/// whitespace, object members sorted by the Unicode code points of their names at every level, lowercase
/// literals, integer numbers only; strings escaped as RFC 8785 §3.2.2.2 says (only <c>"</c>, <c>\</c> and
/// U+0000..U+001F are escaped; everything else, '+', '/' and non-ASCII included, is written as is).
/// </summary>
/// <remarks>
/// Written by hand on purpose: System.Text.Json's encoders escape '+', '&lt;', non-ASCII and more by
/// default, and even the relaxed encoder escapes some characters, so their output is not canonical and a
/// verifier that rebuilds a compact-form PASSporT (RFC 8225 §7) would compute a different signing input.
/// </remarks>
internal sealed class CanonicalJsonWriter
{
    /// <summary>Characters written as themselves, one byte each: printable ASCII except '"' and '\\'.</summary>
    private static readonly SearchValues<char> PlainAscii = SearchValues.Create(
        " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    /// <summary>Orders member names by Unicode code point, which is the byte order of their UTF-8 forms.</summary>
    public static IComparer<string> NameOrder { get; } = Comparer<string>.Create(CompareByCodePoint);

    public int Length => _buffer.WrittenCount;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    /// <summary>The canonical form of any JSON value (extension claims, a decoded header or claims set).</summary>
    /// <exception cref="ArgumentException">The value holds a number that is not an integer, or a lone surrogate.</exception>
    public static byte[] Serialize(JsonElement element)
    {
        var writer = new CanonicalJsonWriter();
        writer.WriteElement(element);
        return writer.ToArray();
    }

    /// <summary>True when <paramref name="json"/> is byte for byte the canonical form of the value it holds.</summary>
    public static bool IsCanonical(ReadOnlySpan<byte> json, JsonElement parsed)
    {
        var writer = new CanonicalJsonWriter();
        try
        {
            writer.WriteElement(parsed);
        }
        catch (ArgumentException)
        {
            return false; // a fraction or exponent: no canonical form under RFC 8225 §9 rule 4
        }

        return writer.WrittenSpan.SequenceEqual(json);
    }

    /// <summary>RFC 8225 §9 rule 2: writes an object whose members are sorted by name.</summary>
    public void WriteObject(IEnumerable<KeyValuePair<string, Action<CanonicalJsonWriter>>> members)
    {
        var sorted = members.ToList();
        sorted.Sort((a, b) => CompareByCodePoint(a.Key, b.Key));
        WriteByte((byte)'{');
        for (var i = 0; i < sorted.Count; i++)
        {
            if (i > 0)
            {
                if (CompareByCodePoint(sorted[i - 1].Key, sorted[i].Key) == 0)
                {
                    // RFC 8225 §9 note: equal member names make the serialization non-deterministic.
                    throw new ArgumentException($"duplicate member name \"{sorted[i].Key}\"", nameof(members));
                }

                WriteByte((byte)',');
            }

            WriteString(sorted[i].Key);
            WriteByte((byte)':');
            sorted[i].Value(this);
        }

        WriteByte((byte)'}');
    }

    /// <summary><see cref="WriteObject"/> for a parsed object, without a delegate per member.</summary>
    private void WriteElementObject(JsonElement element)
    {
        var members = new List<(string Name, JsonElement Value)>();
        foreach (var property in element.EnumerateObject())
        {
            members.Add((property.Name, property.Value));
        }

        members.Sort(static (a, b) => CompareByCodePoint(a.Name, b.Name));
        WriteByte((byte)'{');
        for (var i = 0; i < members.Count; i++)
        {
            if (i > 0)
            {
                if (CompareByCodePoint(members[i - 1].Name, members[i].Name) == 0)
                {
                    // RFC 8225 §9 note: equal member names make the serialization non-deterministic.
                    throw new ArgumentException($"duplicate member name \"{members[i].Name}\"", nameof(element));
                }

                WriteByte((byte)',');
            }

            WriteString(members[i].Name);
            WriteByte((byte)':');
            WriteElement(members[i].Value);
        }

        WriteByte((byte)'}');
    }

    public void WriteArray<T>(IEnumerable<T> items, Action<CanonicalJsonWriter, T> writeItem)
    {
        WriteByte((byte)'[');
        var first = true;
        foreach (var item in items)
        {
            if (!first)
            {
                WriteByte((byte)',');
            }

            first = false;
            writeItem(this, item);
        }

        WriteByte((byte)']');
    }

    /// <summary>RFC 8785 §3.2.2.2 string serialization.</summary>
    /// <exception cref="ArgumentException">The string holds a lone surrogate (RFC 8785 requires an error).</exception>
    public void WriteString(string value)
    {
        WriteByte((byte)'"');

        // The usual run: printable ASCII other than '"' and '\\' is written as is, in one block.
        var plain = value.AsSpan().IndexOfAnyExcept(PlainAscii);
        var start = plain < 0 ? value.Length : plain;
        if (start > 0)
        {
            var span = _buffer.GetSpan(start);
            _ = System.Text.Encoding.ASCII.GetBytes(value.AsSpan(0, start), span);
            _buffer.Advance(start);
        }

        Span<byte> utf8 = stackalloc byte[4];
        for (var i = start; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    WriteAscii("\\\"");
                    break;
                case '\\':
                    WriteAscii("\\\\");
                    break;
                case '\b':
                    WriteAscii("\\b");
                    break;
                case '\t':
                    WriteAscii("\\t");
                    break;
                case '\n':
                    WriteAscii("\\n");
                    break;
                case '\f':
                    WriteAscii("\\f");
                    break;
                case '\r':
                    WriteAscii("\\r");
                    break;
                case < ' ':
                    WriteAscii("\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                case < (char)0x80:
                    WriteByte((byte)c);
                    break;
                default:
                    if (!Rune.TryGetRuneAt(value, i, out var rune))
                    {
                        throw new ArgumentException($"lone surrogate U+{(int)c:X4} at index {i}: not serializable (RFC 8785 §3.2.2.2)", nameof(value));
                    }

                    var n = rune.EncodeToUtf8(utf8);
                    _buffer.Write(utf8[..n]);
                    i += rune.Utf16SequenceLength - 1;
                    break;
            }
        }

        WriteByte((byte)'"');
    }

    public void WriteInteger(long value) => WriteAscii(value.ToString(CultureInfo.InvariantCulture));

    public void WriteBoolean(bool value) => WriteAscii(value ? "true" : "false");

    /// <summary>Writes any JSON value canonically (RFC 8225 §9 rule 5: recursively).</summary>
    /// <exception cref="ArgumentException">A number is not an integer, or a string holds a lone surrogate.</exception>
    public void WriteElement(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteElementObject(element);
                break;
            case JsonValueKind.Array:
                WriteArray(element.EnumerateArray(), static (w, e) => w.WriteElement(e));
                break;
            case JsonValueKind.String:
                WriteString(element.GetString()!);
                break;
            case JsonValueKind.Number:
                var raw = element.GetRawText();
                if (!IsCanonicalInteger(raw))
                {
                    throw new ArgumentException($"number {raw} is not an integer in canonical form; RFC 8225 §9 rule 4 allows integers only", nameof(element));
                }

                WriteAscii(raw);
                break;
            case JsonValueKind.True:
                WriteAscii("true");
                break;
            case JsonValueKind.False:
                WriteAscii("false");
                break;
            case JsonValueKind.Null:
                WriteAscii("null");
                break;
            default:
                throw new ArgumentException($"JSON value kind {element.ValueKind} cannot be serialized", nameof(element));
        }
    }

    /// <summary>An integer as JSON writes it with nothing to vary: optional '-', no leading zeros, no "-0".</summary>
    internal static bool IsCanonicalInteger(ReadOnlySpan<char> raw)
    {
        var digits = raw.StartsWith("-") ? raw[1..] : raw;
        if (digits.Length == 0 || (digits[0] == '0' && (digits.Length > 1 || raw.Length > 1)))
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static int CompareByCodePoint(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }

        // UTF-16 ordinal order differs from code point order only between surrogates and U+E000..U+FFFF, so
        // where the first difference involves no surrogate, the two UTF-16 units decide.
        var common = a.AsSpan().CommonPrefixLength(b);
        if (common == a.Length || common == b.Length)
        {
            return a.Length.CompareTo(b.Length);
        }

        if (!char.IsSurrogate(a[common]) && !char.IsSurrogate(b[common]))
        {
            return a[common].CompareTo(b[common]);
        }

        var i = 0;
        var j = 0;
        while (i < a.Length && j < b.Length)
        {
            var ra = Rune.TryGetRuneAt(a, i, out var x) ? x.Value : a[i];
            var rb = Rune.TryGetRuneAt(b, j, out var y) ? y.Value : b[j];
            if (ra != rb)
            {
                return ra.CompareTo(rb);
            }

            i += ra > 0xFFFF ? 2 : 1;
            j += rb > 0xFFFF ? 2 : 1;
        }

        return (a.Length - i).CompareTo(b.Length - j);
    }

    private void WriteByte(byte b)
    {
        _buffer.GetSpan(1)[0] = b;
        _buffer.Advance(1);
    }

    private void WriteAscii(string s)
    {
        var span = _buffer.GetSpan(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            span[i] = (byte)s[i];
        }

        _buffer.Advance(s.Length);
    }
}
