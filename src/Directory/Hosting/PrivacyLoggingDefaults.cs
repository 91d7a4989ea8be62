using Microsoft.Extensions.Configuration.Memory;

namespace Stir.Encrypted.DirectoryService.Hosting;

/// <summary>
/// Code defaults for log levels that keep request data out of logs: the hosting and routing categories log
/// request paths, and directory paths carry telephone numbers (<c>/v1/numbers/{tn}/records</c>) and buckets.
/// They are the lowest-priority configuration source, so an operator can still raise a level knowingly, but
/// nothing logs a path by default.
/// </summary>
internal static class PrivacyLoggingDefaults
{
    public static readonly IReadOnlyDictionary<string, string?> Levels = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "None",
        ["Logging:LogLevel:Microsoft.AspNetCore.Routing"] = "None",
        ["Logging:LogLevel:Microsoft.AspNetCore.HttpLogging"] = "None",
        ["Logging:LogLevel:Microsoft.AspNetCore.Server.Kestrel"] = "Warning",
    };

    public static void AddPrivacyLoggingDefaults(this IConfigurationManager configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Levels });
    }
}
