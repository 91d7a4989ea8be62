using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Stir.Encrypted.Cps;

namespace Stir.Encrypted.Cli;

/// <summary>
/// A CPS configuration that changed since the one accepted before (spec/protocol.md §7 "Change report"), as the
/// warning line `stir call`, `stir verify` and `stir doctor` print, and as JSON; and the `--known-cps` option that
/// keeps the accepted configurations between runs.
/// </summary>
internal static class ConfigurationWarning
{
    public static Option<string?> KnownCpsOption() => new("--known-cps")
    {
        Description = "File remembering the configuration last accepted from each CPS (like SSH's known_hosts): a change in the salt, "
            + "Argon2id cost, epoch, bucket width, slots, retention or storer authentication is reported as a warning (created if missing)",
    };

    public static string Line(CpsConfigurationChange change) =>
        $"warning: the configuration of the CPS {change.Cps.Authority} {change}{(change.SaltChanged ? " — the salt changed: check with the CPS operator before trusting it" : string.Empty)}";

    public static JsonNode? ToJson(CpsConfigurationChange? change) => change is null ? null : new JsonObject
    {
        ["cps"] = change.Cps.AbsoluteUri,
        ["since"] = change.Since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["saltChanged"] = change.SaltChanged,
        ["differences"] = new JsonArray([.. change.Differences.Select(d => (JsonNode)d)]),
        ["summary"] = change.ToString(),
    };
}
