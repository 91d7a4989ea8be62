namespace Stir.Encrypted.Certificates;

/// <summary>One DER tag-length header: where the element starts, its tag byte and where its value lies.</summary>
internal readonly record struct DerHeader(int Offset, byte Tag, int HeaderLength, int ContentLength)
{
    /// <summary>Where the value starts.</summary>
    public int ContentOffset => Offset + HeaderLength;

    /// <summary>The first byte after the element.</summary>
    public int End => ContentOffset + ContentLength;

    public bool IsConstructed => (Tag & 0x20) != 0;

    /// <summary>
    /// Reads the tag and length at <paramref name="offset"/> with the DER rules of X.690 §8.1.2–8.1.3 and §10.1:
    /// single-byte tags only (our formats use no tag number above 30), definite lengths, the short form for
    /// lengths below 128 and no leading zero in the long form. <see cref="System.Formats.Asn1.AsnReader"/> in DER
    /// mode rejects the same inputs but says only "corrupted data"; this says which rule and how many bytes.
    /// </summary>
    /// <param name="data">The whole encoding (offsets are relative to it).</param>
    /// <param name="offset">Where the element starts.</param>
    /// <param name="limit">The end of the enclosing value: the element must fit before it.</param>
    /// <param name="header">The header read.</param>
    /// <param name="rule">Which rule the bytes break, when the method returns false.</param>
    public static bool TryRead(ReadOnlySpan<byte> data, int offset, int limit, out DerHeader header, out string? rule)
    {
        header = default;
        var left = limit - offset;
        if (left < 2)
        {
            rule = $"truncated: a tag and a length need 2 bytes, {left} left";
            return false;
        }

        var tag = data[offset];
        if ((tag & 0x1F) == 0x1F)
        {
            rule = $"unexpected tag 0x{tag:x2} (multi-byte tag numbers are not used here)";
            return false;
        }

        var first = data[offset + 1];
        if (first == 0x80)
        {
            rule = "indefinite length is not DER (X.690 §10.1)";
            return false;
        }

        int headerLength;
        long length;
        if (first < 0x80)
        {
            headerLength = 2;
            length = first;
        }
        else
        {
            var count = first & 0x7F;
            if (count > 4)
            {
                rule = $"length field of {count} bytes is too long (at most 4)";
                return false;
            }

            if (left - 2 < count)
            {
                rule = $"truncated: the length needs {count} more bytes, {left - 2} left";
                return false;
            }

            if (data[offset + 2] == 0)
            {
                rule = "non-minimal length encoding: leading zero byte in the long form (X.690 §10.1)";
                return false;
            }

            length = 0;
            for (var i = 0; i < count; i++)
            {
                length = (length << 8) | data[offset + 2 + i];
            }

            if (length < 0x80)
            {
                rule = $"non-minimal length encoding: length {length} must use the short form (X.690 §10.1)";
                return false;
            }

            headerLength = 2 + count;
        }

        if (length > left - headerLength)
        {
            rule = $"truncated: value needs {length} bytes, {left - headerLength} left";
            return false;
        }

        header = new DerHeader(offset, tag, headerLength, (int)length);
        rule = null;
        return true;
    }
}
