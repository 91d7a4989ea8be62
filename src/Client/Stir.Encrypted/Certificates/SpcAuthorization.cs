using System.Text.Json;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Certificates;

/// <summary>
/// The operator's knowledge of which numbers each service provider code holds. SHAKEN certificates carry
/// only an SPC (ATIS-1000080), and RFC 8226 §9 calls an SPC an indirect name for "all of the telephone numbers
/// associated with that identifier": the certificate cannot say which those are, so a relying party that
/// wants an SPC certificate to authorize numbers must supply this table. Without it, an SPC covers nothing.
/// </summary>
/// <remarks>
/// File format (JSON, comments allowed):
/// <code>
/// { "spc": { "709J": ["12025550100+100", "12025550123", "+12025550199"] } }
/// </code>
/// Each key is an SPC, compared exactly (ordinal: <c>558a</c> is not <c>558A</c>). Each value is a list of
/// <c>start+count</c> ranges (<see cref="TelephoneNumberRange.Parse"/>), canonical numbers
/// (<c>12025550123</c>, <c>*67#</c>) or E.164 numbers with their <c>+</c>. No other members are allowed, and
/// an SPC may appear once, so a typo is an error rather than a silently ignored entry.
/// </remarks>
public sealed class SpcAuthorization
{
    private readonly Dictionary<ServiceProviderCode, TNEntry[]> _numbers;

    internal SpcAuthorization(Dictionary<ServiceProviderCode, TNEntry[]> numbers)
    {
        _numbers = numbers;
    }

    /// <summary>An authorization that lists no SPC: every SPC entry covers nothing.</summary>
    public static SpcAuthorization Empty { get; } = new([]);

    /// <summary>The SPCs the table lists.</summary>
    public IReadOnlyCollection<ServiceProviderCode> Codes => _numbers.Keys;

    /// <summary>Reads an SPC authorization file.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="SpcAuthorizationFormatException">The content is malformed; the message names the file, the key and the value.</exception>
    public static SpcAuthorization Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses SPC authorization JSON.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">What to call the input in error messages (a file name).</param>
    /// <exception cref="SpcAuthorizationFormatException">The content is malformed.</exception>
    public static SpcAuthorization Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $"line {line + 1}, column {e.BytePositionInLine + 1}" : "(document)";
            throw new SpcAuthorizationFormatException(source, where, null, $"not JSON: {e.Message}");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new SpcAuthorizationFormatException(source, "(document)", Raw(root), "expected an object {\"spc\": {...}}");
            }

            JsonElement? spcs = null;
            foreach (var member in root.EnumerateObject())
            {
                if (member.Name != "spc")
                {
                    throw new SpcAuthorizationFormatException(source, JsonName(member.Name), null, "unknown member (the only member is \"spc\")");
                }

                spcs = member.Value;
            }

            if (spcs is not { ValueKind: JsonValueKind.Object } table)
            {
                throw new SpcAuthorizationFormatException(source, "spc", spcs is null ? null : Raw(spcs.Value), spcs is null ? "missing" : "expected an object mapping each SPC to a list of numbers and ranges");
            }

            var numbers = new Dictionary<ServiceProviderCode, TNEntry[]>();
            foreach (var member in table.EnumerateObject())
            {
                var location = $"spc.{JsonName(member.Name)}";
                if (member.Name.Any(c => c > 0x7F))
                {
                    throw new SpcAuthorizationFormatException(source, location, null, "an SPC is an IA5String: ASCII only");
                }

                var code = new ServiceProviderCode(member.Name);
                if (member.Value.ValueKind != JsonValueKind.Array)
                {
                    throw new SpcAuthorizationFormatException(source, location, Raw(member.Value), "expected a list of numbers and start+count ranges");
                }

                var entries = new List<TNEntry>();
                var index = 0;
                foreach (var item in member.Value.EnumerateArray())
                {
                    entries.Add(ParseEntry(item, source, $"{location}[{index}]"));
                    index++;
                }

                numbers.Add(code, [.. entries]);
            }

            return new SpcAuthorization(numbers);
        }
    }

    /// <summary>Whether the table lists <paramref name="number"/> for <paramref name="spc"/>.</summary>
    public bool Authorizes(ServiceProviderCode spc, TelephoneNumber number)
    {
        ArgumentNullException.ThrowIfNull(spc);
        ArgumentNullException.ThrowIfNull(number);
        return NumbersOf(spc) is { } held && held.Any(e => e is TNEntry.One one ? one.Number == number : ((TNEntry.Range)e).Value.Contains(number));
    }

    /// <summary>The numbers and ranges listed for <paramref name="spc"/> (<see cref="TNEntry.One"/> and <see cref="TNEntry.Range"/> only), or null when the SPC is not listed.</summary>
    internal IReadOnlyList<TNEntry>? NumbersOf(ServiceProviderCode spc) => _numbers.TryGetValue(spc, out var held) ? held : null;

    private static TNEntry ParseEntry(JsonElement item, string source, string location)
    {
        if (item.ValueKind != JsonValueKind.String)
        {
            throw new SpcAuthorizationFormatException(source, location, Raw(item), "expected a string: a number or a start+count range");
        }

        var text = item.GetString()!;
        try
        {
            if (text.StartsWith('+'))
            {
                return new TNEntry.One(TelephoneNumber.ParseE164(text));
            }

            return text.Contains('+', StringComparison.Ordinal)
                ? new TNEntry.Range(TelephoneNumberRange.Parse(text))
                : new TNEntry.One(TelephoneNumber.ParseCanonical(text));
        }
        catch (TelephoneNumberFormatException e)
        {
            throw new SpcAuthorizationFormatException(source, location, Raw(item), e.Reason);
        }
    }

    private static string Raw(JsonElement element)
    {
        var text = element.GetRawText();
        return text.Length <= 80 ? text : text[..77] + "...";
    }

    private static string JsonName(string name) => "\"" + JsonEncodedText.Encode(name, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping) + "\"";
}
