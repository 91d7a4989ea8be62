using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Stir.Encrypted.Jose;

/// <summary>
/// Reads the JSON of a JWS header or payload (PASSporTs, key records) as strictly as a signature format needs: valid
/// UTF-8 with no byte order mark, exactly one JSON object, no comments or trailing commas, no duplicate
/// member names at any depth, bounded depth, no escaped lone surrogates.
/// </summary>
/// <remarks>
/// Duplicate names are the classic JOSE confusion: one parser reads the first <c>"alg"</c>, another the
/// last (RFC 7515 §4 says to reject or take the last; RFC 8225 §9 says they must not occur). System.Text.Json's
/// JsonDocument keeps both silently, so every member name is checked here with a Utf8JsonReader first.
/// </remarks>
internal static class StrictJson
{
    /// <summary>Deep enough for rich call data (RFC 9795 jCard) and no deeper.</summary>
    public const int MaxDepth = 16;

    /// <summary>Parses <paramref name="json"/> as one object; the caller disposes the document.</summary>
    /// <exception cref="JwsFormatException">The JSON breaks one of the rules above; the message says which and where.</exception>
    public static JsonDocument ParseObject(ReadOnlyMemory<byte> json, JwsPart part)
    {
        var span = json.Span;
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            throw new JwsFormatException(part, string.Empty, "starts with a UTF-8 byte order mark, which JSON text must not have (RFC 8259 §8.1)");
        }

        if (!Utf8.IsValid(span))
        {
            throw new JwsFormatException(part, string.Empty, $"not valid UTF-8 (invalid sequence at byte {InvalidUtf8Offset(span) + 1})");
        }

        var options = new JsonReaderOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false };
        var reader = new Utf8JsonReader(span, options);
        var frames = new Stack<Frame>();
        try
        {
            if (!reader.Read())
            {
                throw new JwsFormatException(part, string.Empty, "empty; expected a JSON object");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JwsFormatException(part, string.Empty, $"is a JSON {Describe(reader.TokenType)}; expected an object");
            }

            frames.Push(new Frame(isObject: true, parent: null));
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        var parent = frames.Peek();
                        frames.Push(new Frame(reader.TokenType == JsonTokenType.StartObject, parent));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        frames.Pop();
                        if (frames.Count > 0)
                        {
                            frames.Peek().ValueDone();
                        }

                        break;
                    case JsonTokenType.PropertyName:
                        var frame = frames.Peek();
                        var name = ReadString(ref reader, part, frame, child: false);
                        if (!frame.Names!.Add(name))
                        {
                            var where = frame.Path.Length == 0 ? "at the top level" : $"inside \"{frame.Path}\"";
                            throw new JwsFormatException(part, frame.Join(name), $"duplicate member name \"{name}\" {where} (RFC 8225 §9; RFC 7515 §4)");
                        }

                        frame.Current = name;
                        break;
                    case JsonTokenType.String:
                        // Unescaped text is UTF-8 already validated above, so it cannot hold a lone surrogate;
                        // only an escaped string needs decoding to find out.
                        if (reader.ValueIsEscaped)
                        {
                            _ = ReadString(ref reader, part, frames.Peek(), child: true);
                        }

                        frames.Peek().ValueDone();
                        break;
                    default:
                        frames.Peek().ValueDone();
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            var reason = e.Message;
            var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
            reason = cut > 0 ? reason[..cut] : reason;
            throw new JwsFormatException(part, string.Empty, $"not valid JSON at byte {e.BytePositionInLine + 1}: {reason.TrimEnd('.')}");
        }

        return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth });
    }

    private static string ReadString(ref Utf8JsonReader reader, JwsPart part, Frame frame, bool child)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            var path = child ? frame.ChildPath() : frame.Path;
            throw new JwsFormatException(part, path, "a string escapes an unpaired UTF-16 surrogate (RFC 8785 §3.2.2.2 requires rejecting it)");
        }
    }

    private static int InvalidUtf8Offset(ReadOnlySpan<byte> span)
    {
        var offset = 0;
        while (offset < span.Length)
        {
            if (Rune.DecodeFromUtf8(span[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return offset;
    }

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };

    private sealed class Frame
    {
        private readonly Frame? _parent;
        private readonly string? _key;
        private readonly int _position;
        private int _index;
        private string? _path;

        /// <summary>A frame inside <paramref name="parent"/> at its current member or index; the path text is made only if a message needs it.</summary>
        public Frame(bool isObject, Frame? parent)
        {
            _parent = parent;
            _key = parent?.Current;
            _position = parent?._index ?? 0;
            Names = isObject ? new HashSet<string>(StringComparer.Ordinal) : null;
        }

        public string Path => _path ??= _parent is null ? string.Empty
            : _parent.Names is not null ? _parent.Join(_key ?? string.Empty) : $"{_parent.Path}[{_position}]";

        public HashSet<string>? Names { get; }

        public string? Current { get; set; }

        public string Join(string name) => Path.Length == 0 ? name : $"{Path}.{name}";

        public string ChildPath() => Names is not null ? Join(Current ?? string.Empty) : $"{Path}[{_index}]";

        public void ValueDone()
        {
            if (Names is null)
            {
                _index++;
            }
        }
    }
}
