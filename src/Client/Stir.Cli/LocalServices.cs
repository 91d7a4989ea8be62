using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.CpsService;
using Stir.Encrypted.DirectoryService;

namespace Stir.Encrypted.Cli;

/// <summary>
/// The CPS, the credential directory and a certificate repository (x5u URLs) in this process, on loopback, each on
/// its own port, with the embedded LiteDB stores under one data directory: what `stir serve` runs and `stir demo`
/// uses. The services are built by their own <c>Build</c> methods, so they are exactly what runs in production; only
/// the settings differ (loopback, a development trust anchor, size classes that fit x5c PASSporTs).
/// </summary>
internal sealed partial class LocalServices : IAsyncDisposable
{
    private readonly WebApplication _cps;
    private readonly WebApplication _directory;
    private readonly WebApplication _certificates;

    private LocalServices(WebApplication cps, WebApplication directory, WebApplication certificates, string data, string trustAnchors, string certificateDirectory)
    {
        _cps = cps;
        _directory = directory;
        _certificates = certificates;
        DataDirectory = data;
        TrustAnchorsFile = trustAnchors;
        CertificateDirectory = certificateDirectory;
    }

    public Uri Cps { get; private set; } = null!;

    /// <summary>The CPS's management listener (<c>metrics</c>, <c>openapi/v1.json</c>): loopback, apart from the public endpoints.</summary>
    public Uri CpsManagement { get; private set; } = null!;

    public Uri Directory { get; private set; } = null!;

    /// <summary>The base of the x5u URLs: <c>{base}NAME.pem</c> serves <c>NAME.chain.pem</c> of the certificate directory.</summary>
    public Uri Certificates { get; private set; } = null!;

    public string DataDirectory { get; }

    public string TrustAnchorsFile { get; }

    public string CertificateDirectory { get; }

    /// <summary>
    /// Starts the three services. <paramref name="trustAnchors"/> is the PEM file of STI roots the directory trusts;
    /// <paramref name="certificateDirectory"/> holds the <c>NAME.chain.pem</c> files served as x5u.
    /// </summary>
    public static async Task<LocalServices> StartAsync(string data, string trustAnchors, string certificateDirectory, int cpsPort, int directoryPort, int certificatePort, int cpsManagementPort, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(data);
        string[] Common(int port) =>
        [
            $"--urls=http://127.0.0.1:{port}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
            "--Logging:LogLevel:Microsoft.Extensions.Hosting=None", // a start failure is reported by the command
            $"--contentRoot={data}",
        ];

        var cps = CpsApplication.Build(
        [
            .. Common(cpsPort),
            $"--Cps:DataDirectory={Path.Combine(data, "cps")}",
            // Metrics and the OpenAPI document on their own loopback port (0: the kernel chooses), never the CPS's.
            $"--Cps:Management:Urls=http://127.0.0.1:{cpsManagementPort}",
            // A class for x5u PASSporTs and one for x5c PASSporTs (~2.5 KB each, a div-o nests its original).
            "--Cps:Classes:0:Size=2048", "--Cps:Classes:0:Slots=16",
            "--Cps:Classes:1:Size=8192", "--Cps:Classes:1:Slots=8", "--Cps:Limits:MaxBlobsPerStore=4",
        ]);
        var directory = DirectoryApplication.Build(
        [
            .. Common(directoryPort),
            $"--Directory:DataDirectory={Path.Combine(data, "directory")}",
            $"--Directory:TrustAnchorsFile={trustAnchors}",
        ]);
        var builder = WebApplication.CreateSlimBuilder([.. Common(certificatePort)]);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var certificates = builder.Build();

        // RFC 8226 §9, RFC 8225 §5.1.2: x5u dereferences to the PEM chain, end entity first.
        certificates.MapGet("/sti/{file}", (string file) =>
        {
            var match = ChainFileName().Match(file);
            var path = match.Success ? Path.Combine(certificateDirectory, $"{match.Groups[1].Value}.chain.pem") : null;
            return path is not null && File.Exists(path)
                ? Results.Text(File.ReadAllText(path), "application/pem-certificate-chain")
                : Results.NotFound();
        });

        var services = new LocalServices(cps, directory, certificates, data, trustAnchors, certificateDirectory);
        try
        {
            await Task.WhenAll(cps.StartAsync(cancellationToken), directory.StartAsync(cancellationToken), certificates.StartAsync(cancellationToken));
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }

        services.Cps = new Uri(cps.Urls.First() + "/");
        services.CpsManagement = new Uri(CpsApplication.ManagementUrls(cps)[0].GetLeftPart(UriPartial.Authority) + "/");
        services.Directory = new Uri(directory.Urls.First() + "/");
        services.Certificates = new Uri(certificates.Urls.First() + "/sti/");
        return services;
    }

    /// <summary>Starts the services over a development PKI kept in <c>{data}/pki</c> (created on first use).</summary>
    public static async Task<LocalServices> StartDevelopmentAsync(string data, int cpsPort, int directoryPort, int certificatePort, int cpsManagementPort, CancellationToken cancellationToken)
    {
        var pki = Path.Combine(data, "pki");
        if (!File.Exists(Path.Combine(pki, $"{DevelopmentPki.RootName}.pem")))
        {
            using var created = DevelopmentPki.Create();
            created.Save(pki);
        }

        return await StartAsync(data, Path.Combine(pki, $"{DevelopmentPki.RootName}.pem"), pki, cpsPort, directoryPort, certificatePort, cpsManagementPort, cancellationToken);
    }

    /// <summary>The x5u URL of the chain <c>NAME.chain.pem</c> in the certificate directory.</summary>
    public string X5uOf(string name) => new Uri(Certificates, $"{name}.pem").AbsoluteUri;

    public async ValueTask DisposeAsync()
    {
        foreach (var app in new[] { _cps, _directory, _certificates })
        {
            try
            {
                await app.StopAsync();
            }
            catch (OperationCanceledException)
            {
            }

            await app.DisposeAsync();
        }
    }

    [GeneratedRegex("^([A-Za-z0-9][A-Za-z0-9._-]{0,63})\\.pem$")]
    private static partial Regex ChainFileName();
}
