using System.Diagnostics;
using Stir.Encrypted.EndToEnd.Tests.Support;

namespace Stir.Encrypted.EndToEnd.Tests;

/// <summary>
/// `stir serve` prints its URLs when ready (the CPS's management listener among them), answers on each, and stops
/// cleanly on SIGINT (Ctrl-C).
/// </summary>
public sealed class ServeLifecycleTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("stir-e2e-serve-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task Serve_IsReadyWithItsUrls_AndStopsCleanlyOnSigint()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { ServeProcess.StirDll, "serve", "--data", _data })
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var urls = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line && line != "ready")
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                urls[line[..colon]] = line[(colon + 1)..].Trim().Split(' ')[0];
            }
        }

        using var http = new HttpClient();
        var cps = await http.GetAsync(new Uri(new Uri(urls["cps"]), "health/ready"));
        // Metrics only on the management listener, never on the CPS's public port (issue 13).
        var metrics = await http.GetAsync(new Uri(new Uri(urls["management"]), "metrics"));
        var publicMetrics = await http.GetAsync(new Uri(new Uri(urls["cps"]), "metrics"));
        var directory = await http.GetAsync(new Uri(new Uri(urls["directory"]), "v1/config"));
        var chain = await http.GetAsync(new Uri(new Uri(urls["x5u base"]), "intermediate.pem"));
        var key = await http.GetAsync(new Uri(new Uri(urls["x5u base"]), "intermediate.key.pem"));

        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync(timeout.Token);
        var rest = await process.StandardOutput.ReadToEndAsync();

        Assert.True(cps.IsSuccessStatusCode);
        Assert.True(metrics.IsSuccessStatusCode);
        Assert.Contains("cps_retrievals_total", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, publicMetrics.StatusCode);
        Assert.NotEqual(new Uri(urls["cps"]).Port, new Uri(urls["management"]).Port);
        Assert.True(directory.IsSuccessStatusCode);
        Assert.Equal("application/pem-certificate-chain", chain.Content.Headers.ContentType?.MediaType);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, key.StatusCode);
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("stopped", rest, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_data, "pki", "root.pem")));
    }
}
