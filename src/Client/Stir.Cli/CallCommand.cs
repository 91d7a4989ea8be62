using System.CommandLine;
using System.Text.Json.Nodes;
using Stir.Encrypted.Calls;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Sip;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cli;

/// <summary>
/// `stir call`: the caller's side of an out-of-band call (RFC 8816 §8.1). Signs a PASSporT with --cert/--key (or
/// takes --passport files, or lifts them from a SIP INVITE with --identity: the gateway path), finds the callee's CPS
/// and directory, takes the key records of every holder of the called number from the local copy of the directory
/// (--cache; --sync updates it first; --live-lookup asks the directory for the number's bucket instead), verifies
/// them, seals one blob to all of them and stores it in the call's bucket (spec/protocol.md §4, §5). Prints each step with its time. Exit 0 stored, 1 nothing to store or nobody to store
/// it for, 2 usage, 3 a service or file failed.
/// </summary>
internal static class CallCommand
{
    public static Command Create()
    {
        var orig = new Option<string?>("--orig") { Description = "The calling number, E.164 (not needed with --identity)" };
        var dest = new Option<string?>("--dest") { Description = "The called number, E.164 (not needed with --identity)" };
        var passportFiles = new Option<string[]>("--passport") { Description = "A file of full-form PASSporTs or Identity header values, one per line, to store as they are (repeatable)" };
        var identity = new Option<string?>("--identity") { Description = "A SIP INVITE: lift the PASSporTs of its Identity header fields and store them (gateway, use case 4)" };
        var cert = new Option<string?>("--cert") { Description = "The signer's certificate chain, PEM, end entity first (e.g. NAME.chain.pem of `stir pki issue`)" };
        var key = new Option<string?>("--key") { Description = "The signer's private key, PKCS #8 PEM (e.g. NAME.key.pem)" };
        var x5u = new Option<string?>("--x5u") { Description = "Put this URL of the chain in x5u (small blobs, SIP-ready) instead of the chain in x5c" };
        var attest = new Option<string>("--attest") { Description = "SHAKEN attestation A, B or C; none for a basic PASSporT", DefaultValueFactory = _ => "A" };
        var trust = new Option<string>("--trust") { Description = "PEM file of the STI trust anchors key records must chain to", Required = true };
        var cache = new Option<string?>("--cache")
        {
            Description = "The local copy of the directory the called number's keys come from (made by `stir directory sync --cache DIR`), with the ledger of seen records",
        };
        var sync = new Option<bool>("--sync") { Description = "Bring --cache up to date (snapshot and changes, which name no number) before looking the keys up in it" };
        var liveLookup = new Option<bool>("--live-lookup")
        {
            Description = "Ask the directory for the called number's bucket now instead of the local copy: the directory learns the bucket, "
                + "and when, just before the CPS store (see spec/threat-model.md, directory–CPS collusion)",
        };
        var knownCps = ConfigurationWarning.KnownCpsOption();
        var command = new Command("call", "Store a call's PASSporTs out of band for every key holder of the called number")
        {
            orig, dest, passportFiles, identity, cert, key, x5u, attest, trust, cache, sync, liveLookup, knownCps,
        };
        var routing = CallRouting.Add(command, withDirectory: true);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = CommandOutput.For(parse);
            var invitePath = parse.GetValue(identity);
            SipInvite? invite = null;
            TelephoneNumber? from = null, to = null;
            if (invitePath is not null)
            {
                try
                {
                    invite = SipInvite.Parse(await File.ReadAllBytesAsync(invitePath, cancellationToken));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return output.Fail(ExitCodes.Failure, $"--identity: cannot read {invitePath}: {e.Message}");
                }
                catch (SipFormatException e)
                {
                    return output.Fail(ExitCodes.Invalid, $"--identity: {e.Message}", "give a SIP INVITE request as received (request line, header fields, blank line)");
                }

                to = invite.Target.Number ?? invite.Callee.Number;
                if (to is null)
                {
                    return output.Fail(ExitCodes.Invalid, $"--identity: the INVITE's target has no telephone number: {invite.Target.NoNumberReason}");
                }
            }
            else if (!Numbers.TryParse(output, parse.GetValue(orig), "--orig", out from, out var failed) || !Numbers.TryParse(output, parse.GetValue(dest), "--dest", out to, out failed))
            {
                return failed;
            }

            var tokens = new List<string>();
            foreach (var file in parse.GetValue(passportFiles) ?? [])
            {
                try
                {
                    tokens.AddRange((await File.ReadAllLinesAsync(file, cancellationToken)).Select(l => l.Trim()).Where(l => l.Length > 0).Select(l => l.Split(';')[0]));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return output.Fail(ExitCodes.Failure, $"--passport: cannot read {file}: {e.Message}");
                }
            }

            // http x5u only on loopback, and only when asked (`stir serve`'s repository).
            var parseOptions = new PassportParseOptions { AllowLoopbackHttpX5u = parse.GetValue(routing.AllowHttp) };
            foreach (var token in tokens)
            {
                if (!Passport.TryParse(token, out _, out var error, parseOptions))
                {
                    return output.Fail(ExitCodes.Invalid, $"--passport: {error.Message}", "each line is a full-form PASSporT (header.claims.signature) or an Identity header value");
                }
            }

            if (parse.GetValue(sync) && parse.GetValue(liveLookup))
            {
                return output.Fail(ExitCodes.Usage, "--sync and --live-lookup exclude each other", "--sync updates the local copy the keys come from; --live-lookup asks the directory for the number's bucket instead");
            }

            var attestation = parse.GetValue(attest)!;
            if (attestation is not ("A" or "B" or "C" or "none"))
            {
                return output.Fail(ExitCodes.Usage, $"--attest \"{attestation}\" is not A, B, C or none");
            }

            IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> anchors;
            try
            {
                anchors = CertificateChain.LoadTrustAnchors(parse.GetValue(trust)!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CertificateFormatException)
            {
                return output.Fail(ExitCodes.Failure, $"--trust: {e.Message}", "give the PEM file of the STI roots (e.g. DATA/pki/root.pem of `stir serve`)");
            }

            PassportSigningKey? signingKey = null;
            IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2>? chain = null;
            if (parse.GetValue(cert) is { } certPath && parse.GetValue(key) is { } keyPath)
            {
                try
                {
                    chain = CertificateChain.LoadPemFile(certPath);
                    signingKey = PassportSigningKey.FromPem(await File.ReadAllTextAsync(keyPath, cancellationToken));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or CertificateFormatException or ArgumentException or System.Security.Cryptography.CryptographicException)
                {
                    return output.Fail(ExitCodes.Failure, $"--cert/--key: {e.Message}", "give NAME.chain.pem and NAME.key.pem of `stir pki issue`");
                }
            }
            else if (invite is null && tokens.Count == 0)
            {
                return output.Fail(ExitCodes.Usage, "nothing to store: give --cert and --key to sign, or --passport, or --identity", "e.g. --cert DATA/pki/alice.chain.pem --key DATA/pki/alice.key.pem");
            }

            using (signingKey)
            {
                var (router, directoryUrl, source, routingError) = await routing.ResolveAsync(parse, to!, needDirectory: true, cancellationToken);
                if (routingError is not null)
                {
                    return output.Fail(routingError.StartsWith("--", StringComparison.Ordinal) ? ExitCodes.Usage : ExitCodes.Failure, routingError, "give --cps and --directory, or check DNS with `stir discover`");
                }

                using var http = new HttpClient();
                var validator = new StirChainValidator(anchors);
                var cacheDirectory = parse.GetValue(cache);
                var mode = parse.GetValue(liveLookup) ? DirectoryLookupMode.Bucketed : parse.GetValue(sync) ? DirectoryLookupMode.Synced : DirectoryLookupMode.Cached;
                DirectoryClient directory;
                CallPlacer placer;
                try
                {
                    if (cacheDirectory is not null && mode == DirectoryLookupMode.Synced)
                    {
                        System.IO.Directory.CreateDirectory(cacheDirectory);
                    }

                    directory = new DirectoryClient(http, directoryUrl!, new KeyRecordVerifier(validator), new DirectoryClientOptions { CacheDirectory = cacheDirectory });
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or KeyRecordLedgerFormatException)
                {
                    return output.Fail(ExitCodes.Failure, $"--cache {cacheDirectory}: {e.Message}", "give the directory `stir directory sync --cache` filled, or move a damaged ledger aside");
                }

                using var ownedDirectory = directory;
                try
                {
                    placer = new CallPlacer(http, router!, new DirectoryKeyHolderSource(directory, mode), new CallPlacerOptions
                    {
                        Signer = signingKey is null ? null : new PassportSigner(signingKey),
                        SignerX5u = parse.GetValue(x5u),
                        SignerChain = chain,
                        Attest = attestation == "none" ? null : attestation,
                        Cps = new Cps.CpsClientOptions { KnownConfigurationsFile = parse.GetValue(knownCps) },
                    });
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or Cps.KnownCpsConfigurationsFormatException)
                {
                    return output.Fail(ExitCodes.Failure, $"--known-cps: {e.Message}", "the file is written by `stir call`/`stir verify`; move a damaged one aside to start over");
                }

                PlacementReport? report;
                string detail;
                if (invite is not null)
                {
                    var gateway = await new GatewayStore(placer, new GatewayStoreOptions { ParseOptions = parseOptions }).StoreAsync(invite, cancellationToken);
                    report = gateway.Placement;
                    detail = gateway.Detail;
                    from = gateway.Lifted.Orig.Number;
                }
                else
                {
                    report = await placer.StoreAsync(from!, to!, tokens.Count > 0 ? tokens : null, cancellationToken);
                    detail = report.Detail;
                }

                var code = report is { Stored: true } ? ExitCodes.Success : ExitCodeOf(report);
                var steps = report?.Steps ?? [];
                return output.Result(
                    code,
                    new JsonObject
                    {
                        ["stored"] = report?.Stored ?? false,
                        ["detail"] = detail,
                        ["orig"] = from?.Value,
                        ["dest"] = to!.Value,
                        ["routing"] = source,
                        ["cps"] = report?.Cps?.AbsoluteUri,
                        ["directory"] = directoryUrl!.AbsoluteUri,
                        ["keyLookup"] = mode.ToString().ToLowerInvariant(),
                        ["configurationChange"] = ConfigurationWarning.ToJson(report?.ConfigurationChange),
                        ["epoch"] = report?.Epoch,
                        ["blobs"] = report?.Blobs ?? 0,
                        ["passports"] = new JsonArray([.. (report?.Passports ?? []).Select(t => (JsonNode)t)]),
                        ["steps"] = Steps.ToJson(steps),
                        ["totalMs"] = Steps.Ms(steps.Aggregate(TimeSpan.Zero, (s, x) => s + x.Duration)),
                    },
                    w =>
                    {
                        if (report?.ConfigurationChange is { } change)
                        {
                            w.WriteLine(ConfigurationWarning.Line(change));
                        }

                        w.WriteLine($"{(report?.Stored == true ? "stored" : "NOT stored")}: {detail}");
                        Steps.Write(w, steps);
                    });
            }
        });
        return command;
    }

    // Not stored: "no" when the call has nothing to store or nobody to store it for; a failure when a service did not answer.
    private static int ExitCodeOf(PlacementReport? report) =>
        report?.Steps.LastOrDefault() is { } last && ((last.Name == "keys" && last.Detail.StartsWith("0 key holder", StringComparison.Ordinal)) || last.Name is "sign" or "seal")
            ? ExitCodes.Invalid
            : report is null ? ExitCodes.Invalid : ExitCodes.Failure;
}
