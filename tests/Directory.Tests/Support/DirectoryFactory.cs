using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Stir.Encrypted.DirectoryService.Storage;
using Stir.Encrypted.DirectoryService.Storage.LiteDb;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.DirectoryService.Tests.Support;

/// <summary>
/// Hosts exactly the service's <c>DirectoryApplication.Build</c> in memory, on the PKI's fake clock, with the
/// PKI's root as the only trust anchor and a LiteDB store in a temporary data directory (kept when
/// a data directory is given, so a second factory on it is a restart).
/// </summary>
internal sealed class DirectoryFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly TemporaryDirectory? _ownData;

    public DirectoryFactory(KeyRecordPki pki, IReadOnlyDictionary<string, string?>? settings = null, TemporaryDirectory? data = null)
    {
        Pki = pki;
        if (data is null)
        {
            _ownData = new TemporaryDirectory();
            data = _ownData;
        }

        Data = data;
        var anchors = data.File("anchors.pem");
        File.WriteAllText(anchors, pki.RootPem);
        _settings = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Directory:TrustAnchorsFile"] = anchors,
            ["Directory:DataDirectory"] = data.File("data"),
            ["Directory:BucketBits"] = "8",
            ["Directory:BucketBytes"] = "32768",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public KeyRecordPki Pki { get; }

    public TemporaryDirectory Data { get; }

    internal IKeyRecordStore Store => Services.GetRequiredService<IKeyRecordStore>();

    /// <summary>Every stored document, in order (see <see cref="LiteDbKeyRecordStore.ExportContents"/>).</summary>
    internal string StoreContents() => ((LiteDbKeyRecordStore)Store).ExportContents();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Pki.Time));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _ownData?.Dispose();
        }
    }
}
