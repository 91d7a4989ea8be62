using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.DirectoryService.Tests.Support;

/// <summary>A directory in memory, a carrier holder, and directory clients on the same fake clock.</summary>
internal sealed class ClientRig : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public ClientRig(IReadOnlyDictionary<string, string?>? settings = null)
    {
        Pki = new KeyRecordPki();
        Factory = new DirectoryFactory(Pki, settings);
        Carrier = Pki.Issue("carrier", "range:12025550000+10000");
        Admin = Factory.CreateClient();
    }

    public KeyRecordPki Pki { get; }

    public DirectoryFactory Factory { get; }

    public KeyRecordPki.Holder Carrier { get; }

    /// <summary>An HTTP client to publish with directly.</summary>
    public HttpClient Admin { get; }

    public static Uri BaseUrl { get; } = new("http://localhost/");

    /// <summary>A directory client (and its request log) with the rig's trust anchors and clock.</summary>
    public (DirectoryClient Client, RequestLog Log) NewClient(DirectoryClientOptions? options = null, Func<int, int>? random = null)
    {
        var log = new RequestLog();
        var http = Factory.CreateDefaultClient(BaseUrl, log);
        var client = random is null
            ? new DirectoryClient(http, BaseUrl, Pki.Verifier(), options)
            : new DirectoryClient(http, BaseUrl, Pki.Verifier(), options, random);
        _owned.Add(client);
        _owned.Add(http);
        return (client, log);
    }

    public async Task<KeyRecord> PublishAsync(KeyRecord record)
    {
        using var response = await Admin.PublishAsync(record.Token);
        Assert.True(response.IsSuccessStatusCode, $"{record}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return record;
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        Admin.Dispose();
        Factory.Dispose();
        Pki.Dispose();
    }
}
