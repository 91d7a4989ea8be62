using System.CommandLine;
using System.Text.Json.Nodes;

namespace Stir.Encrypted.Cli;

/// <summary>
/// `stir serve`: the CPS, the credential directory and an x5u certificate repository on loopback, with the embedded
/// store, until Ctrl-C. Without <c>--trust</c> it keeps a development PKI in the data directory and trusts its root;
/// <c>stir pki issue --dir DATA/pki</c> then issues certificates the directory accepts and the repository serves.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Data directory (stores, development PKI); default: the user's local data directory, stir/serve" };
        var trust = new Option<string?>("--trust") { Description = "PEM file of the STI trust anchors the directory accepts; default: the development PKI's root in DATA/pki" };
        var certs = new Option<string?>("--certs") { Description = "Directory of NAME.chain.pem files served as x5u at .../sti/NAME.pem; default: DATA/pki" };
        var cpsPort = new Option<int>("--cps-port") { Description = "CPS port on 127.0.0.1 (0: a free port)" };
        var directoryPort = new Option<int>("--directory-port") { Description = "Directory port on 127.0.0.1 (0: a free port)" };
        var certsPort = new Option<int>("--certs-port") { Description = "Certificate repository port on 127.0.0.1 (0: a free port)" };
        var managementPort = new Option<int>("--cps-management-port") { Description = "Port on 127.0.0.1 of the CPS's management listener: metrics and the OpenAPI document, never on the CPS port (0: a free port)" };
        var command = new Command("serve", "Run the CPS, the credential directory and an x5u repository on loopback with the embedded store (Ctrl-C stops)")
        {
            data, trust, certs, cpsPort, directoryPort, certsPort, managementPort,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = CommandOutput.For(parse);
            var ports = new[] { parse.GetValue(cpsPort), parse.GetValue(directoryPort), parse.GetValue(certsPort), parse.GetValue(managementPort) };
            if (ports.Any(p => p is < 0 or > 65535))
            {
                return output.Fail(ExitCodes.Usage, "a port is between 0 and 65535", "0 picks a free port");
            }

            var dataDirectory = Path.GetFullPath(parse.GetValue(data) ?? DefaultDataDirectory());
            var anchors = parse.GetValue(trust);
            if (anchors is not null && !File.Exists(anchors))
            {
                return output.Fail(ExitCodes.Failure, $"--trust {anchors} does not exist", "give the PEM file of your STI roots, or leave --trust out to use a development PKI");
            }

            LocalServices services;
            try
            {
                services = anchors is null && parse.GetValue(certs) is null
                    ? await LocalServices.StartDevelopmentAsync(dataDirectory, ports[0], ports[1], ports[2], ports[3], cancellationToken)
                    : await LocalServices.StartAsync(
                        dataDirectory,
                        Path.GetFullPath(anchors ?? Path.Combine(dataDirectory, "pki", "root.pem")),
                        Path.GetFullPath(parse.GetValue(certs) ?? Path.Combine(dataDirectory, "pki")),
                        ports[0],
                        ports[1],
                        ports[2],
                        ports[3],
                        cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Extensions.Options.OptionsValidationException or InvalidOperationException)
            {
                return output.Fail(ExitCodes.Failure, $"the services did not start: {e.Message}", "check that the ports are free and the data directory is writable");
            }

            await using (services)
            {
                output.Result(
                    ExitCodes.Success,
                    new JsonObject
                    {
                        ["cps"] = services.Cps.AbsoluteUri,
                        ["cpsManagement"] = services.CpsManagement.AbsoluteUri,
                        ["directory"] = services.Directory.AbsoluteUri,
                        ["x5uBase"] = services.Certificates.AbsoluteUri,
                        ["data"] = services.DataDirectory,
                        ["trustAnchors"] = services.TrustAnchorsFile,
                        ["certificates"] = services.CertificateDirectory,
                    },
                    w =>
                    {
                        w.WriteLine("stir serve: development services on loopback (Ctrl-C stops)");
                        w.WriteLine($"cps:          {services.Cps}");
                        w.WriteLine($"management:   {services.CpsManagement}  (the CPS's metrics and openapi/v1.json; loopback only)");
                        w.WriteLine($"directory:    {services.Directory}");
                        w.WriteLine($"x5u base:     {services.Certificates}  (serves CERTS/NAME.chain.pem as NAME.pem)");
                        w.WriteLine($"data:         {services.DataDirectory}");
                        w.WriteLine($"trust:        {services.TrustAnchorsFile}");
                        w.WriteLine($"certificates: {services.CertificateDirectory}");
                        w.WriteLine("ready");
                    });
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl-C: stop the services (DisposeAsync) and exit 0.
                }
            }

            if (!output.IsJson)
            {
                output.Out.WriteLine("stopped");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string DefaultDataDirectory() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "stir", "serve");
}
