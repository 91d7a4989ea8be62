using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Stir.Encrypted.KeyRecords;

namespace Stir.Encrypted.Cps;

/// <summary>
/// The last configuration this client accepted from each CPS, by base URL, and since when (spec/protocol.md §7
/// "Change report"): in memory always, and with a file it outlives the process (`stir call` runs once per call). The
/// file is read at construction and rewritten by atomic replace, owner-only, when an entry is new or changed; it holds
/// CPS URLs, their public parameters and times, no telephone number and nothing about calls (a write happens only
/// when a CPS changes, so its times do not tell when the client was active). One process at a time: two processes
/// sharing a file may each overwrite the other's newest entry.
/// </summary>
internal sealed class KnownCpsConfigurations
{
    private const int FormatVersion = 1;
    private readonly string? _file;
    private readonly Dictionary<string, (CpsConfiguration Configuration, DateTimeOffset Since)> _known = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <exception cref="IOException">The file exists but cannot be read.</exception>
    /// <exception cref="KnownCpsConfigurationsFormatException">The file is not a known-configurations file.</exception>
    public KnownCpsConfigurations(string? file)
    {
        _file = file;
        if (file is not null && File.Exists(file))
        {
            Load(file, File.ReadAllBytes(file));
        }
    }

    /// <summary>
    /// Remembers <paramref name="configuration"/> as the one accepted from <paramref name="cps"/> and returns what
    /// changed against the one remembered before (null when nothing privacy-relevant did, or none was).
    /// </summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public CpsConfigurationChange? Accept(Uri cps, CpsConfiguration configuration, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_known.TryGetValue(cps.AbsoluteUri, out var before))
            {
                var (differences, saltChanged) = CpsConfigurationChange.Compare(before.Configuration, configuration);
                if (differences.Count == 0)
                {
                    return null;
                }

                _known[cps.AbsoluteUri] = (configuration, now);
                Save();
                return new CpsConfigurationChange(cps, before.Since, differences, saltChanged);
            }

            _known[cps.AbsoluteUri] = (configuration, now);
            Save();
            return null;
        }
    }

    // Under the lock.
    private void Save()
    {
        if (_file is null)
        {
            return;
        }

        var entries = new JsonArray();
        foreach (var (url, (configuration, since)) in _known.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            entries.Add((JsonNode)new JsonObject
            {
                ["cps"] = url,
                ["since"] = since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["configuration"] = configuration.ToJson(),
            });
        }

        var document = new JsonObject { ["format"] = FormatVersion, ["known"] = entries };
        AtomicFile.Write(_file, System.Text.Encoding.UTF8.GetBytes(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n"), ownerOnly: true);
    }

    private void Load(string path, byte[] bytes)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new KnownCpsConfigurationsFormatException(path, $"not JSON: {e.Message}");
        }

        if (root is not JsonObject obj || obj["format"]?.GetValueKind() != JsonValueKind.Number || (int)obj["format"]! != FormatVersion || obj["known"] is not JsonArray entries)
        {
            throw new KnownCpsConfigurationsFormatException(path, $"expected {{\"format\": {FormatVersion}, \"known\": [...]}}");
        }

        var index = 0;
        foreach (var item in entries)
        {
            var where = $"known[{index++}]";
            if (item is not JsonObject entry
                || entry["cps"]?.GetValueKind() != JsonValueKind.String || !Uri.TryCreate((string)entry["cps"]!, UriKind.Absolute, out var url)
                || entry["since"]?.GetValueKind() != JsonValueKind.String
                || !DateTimeOffset.TryParseExact((string)entry["since"]!, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since)
                || entry["configuration"] is not JsonObject stored)
            {
                throw new KnownCpsConfigurationsFormatException(path, $"{where}: expected {{\"cps\": URL, \"since\": \"yyyy-MM-ddTHH:mm:ssZ\", \"configuration\": {{...}}}}");
            }

            CpsConfiguration configuration;
            try
            {
                // What was accepted then is kept whatever the floors are now: only its form is checked here.
                configuration = CpsConfiguration.Parse(System.Text.Encoding.UTF8.GetBytes(stored.ToJsonString()), 8, 1, CpsConfigurationFloors.FormatLimitsOnly);
            }
            catch (BlobFormatException e)
            {
                throw new KnownCpsConfigurationsFormatException(path, $"{where}: {e.Message}");
            }

            if (!_known.TryAdd(url.AbsoluteUri, (configuration, since)))
            {
                throw new KnownCpsConfigurationsFormatException(path, $"{where}: {url.AbsoluteUri} is listed twice");
            }
        }
    }
}
