using System.Text;

namespace Stir.Encrypted.Tests.Dns;

/// <summary>
/// Reads back what <see cref="Discovery.EnumZoneBuilder"/> wrote, independently of it, and answers queries with
/// the wildcard rules of RFC 4592 §3.3.1. A name exists if it owns records or lies above a name that does
/// (an empty non-terminal). A query for a name that does not exist is answered from <c>*.&lt;closest
/// encloser&gt;</c>, and otherwise gets NXDOMAIN. The tests use it to check the builder's splitting of
/// wildcards against many random inputs. Knot checks the same files for real.
/// </summary>
internal sealed class EnumZoneModel
{
    private readonly Dictionary<string, Dictionary<string, string>> _owners = new(StringComparer.Ordinal);
    private readonly HashSet<string> _existing = new(StringComparer.Ordinal);

    public EnumZoneModel(string zoneText)
    {
        foreach (var raw in zoneText.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is ';' or '$')
            {
                continue;
            }

            var fields = Tokenize(line);
            if (fields[3] != "NAPTR")
            {
                continue;
            }

            // owner ttl IN NAPTR order preference "u" "E2U+service" "regexp" .
            var owner = fields[0];
            var service = fields[7]["E2U+".Length..];
            var regexp = fields[8];
            Assert.StartsWith("!^.*$!", regexp, StringComparison.Ordinal);
            Assert.EndsWith("!", regexp, StringComparison.Ordinal);
            var url = regexp[6..^1].Replace("\\!", "!", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
            if (!_owners.TryGetValue(owner, out var records))
            {
                _owners[owner] = records = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            Assert.True(records.TryAdd(service, url), $"{owner} has two {service} records");
            for (var name = owner; name.Contains('.', StringComparison.Ordinal); name = name[(name.IndexOf('.', StringComparison.Ordinal) + 1)..])
            {
                _existing.Add(name);
            }
        }
    }

    public int OwnerCount => _owners.Count;

    public IEnumerable<string> Owners => _owners.Keys;

    /// <summary>The records DNS would answer for <paramref name="name"/> (service → URL), or null for NXDOMAIN/NODATA.</summary>
    public IReadOnlyDictionary<string, string>? Query(string name)
    {
        if (_owners.TryGetValue(name, out var records))
        {
            return records;
        }

        if (_existing.Contains(name))
        {
            return null; // NODATA: the name exists, as an empty non-terminal
        }

        var encloser = name;
        do
        {
            encloser = encloser[(encloser.IndexOf('.', StringComparison.Ordinal) + 1)..];
        }
        while (!_existing.Contains(encloser) && encloser.Contains('.', StringComparison.Ordinal));

        return _owners.TryGetValue("*." + encloser, out var synthesized) ? synthesized : null;
    }

    // Master-file tokens: quoted strings lose their quotes and their backslash escapes (RFC 1035 §5.1).
    private static List<string> Tokenize(string line)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < line.Length)
        {
            if (line[i] == ' ')
            {
                i++;
                continue;
            }

            var sb = new StringBuilder();
            if (line[i] == '"')
            {
                for (i++; line[i] != '"'; i++)
                {
                    if (line[i] == '\\')
                    {
                        i++;
                    }

                    sb.Append(line[i]);
                }

                i++;
            }
            else
            {
                for (; i < line.Length && line[i] != ' '; i++)
                {
                    sb.Append(line[i]);
                }
            }

            tokens.Add(sb.ToString());
        }

        return tokens;
    }
}
