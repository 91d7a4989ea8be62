using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cli;

/// <summary>
/// `stir directory publish|revoke|lookup|sync`: the credential directory (spec/protocol.md §10) from the command
/// line. Nothing the directory answers is believed: lookups and syncs verify every record against <c>--trust</c>
/// (and <c>--spc-auth</c>) and the ledger in <c>--cache</c>.
/// </summary>
/// <remarks>
/// Exit codes: 0 accepted / keys found / copy verified; 1 the directory refused the entry, the number has no usable
/// key, or the directory served entries that did not verify; 2 usage; 3 the directory or a file could not be reached.
/// </remarks>
internal static class DirectoryCommand
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var command = new Command("directory", "Publish, revoke and look up key records in a credential directory, and copy it locally");
        command.Subcommands.Add(CreatePublish());
        command.Subcommands.Add(CreateRevoke());
        command.Subcommands.Add(CreateLookup());
        command.Subcommands.Add(CreateSync());
        return command;
    }

    private static Option<Uri> DirectoryOption() => new("--directory")
    {
        Description = "The directory's base URL, e.g. https://dir.example.net/",
        Required = true,
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http")
            {
                return uri;
            }

            result.AddError($"--directory {text} is not an absolute http(s) URL");
            return null;
        },
    };

    private static Command CreatePublish()
    {
        var record = new Argument<string>("record") { Description = "A file holding the key record or revocation of `stir keys record`, or the token itself" };
        var directory = DirectoryOption();
        var trust = PrecheckOption();
        var command = new Command("publish", "Publish a signed key record or revocation (the directory checks it before storing)") { record, directory, trust };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = CommandOutput.For(parse);
            var text = parse.GetValue(record)!;
            string token;
            try
            {
                token = File.Exists(text) ? File.ReadAllText(text).Trim() : text.Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return output.Fail(ExitCodes.Failure, $"cannot read {text}: {e.Message}");
            }

            if (!KeyRecord.TryParse(token, out var entry, out var error))
            {
                return output.Fail(ExitCodes.Invalid, $"not a key record or revocation: {error.Message}", "give the file written by `stir keys record --out`");
            }

            return await PublishAsync(output, parse.GetValue(directory)!, parse.GetValue(trust), entry, cancellationToken);
        });
        return command;
    }

    private static Command CreateRevoke()
    {
        var cert = new Option<FileInfo>("--cert") { Description = "PEM chain of the holder's STIR certificate (the one that signed the rid's records), end entity first", Required = true };
        var key = new Option<FileInfo>("--key") { Description = "The end entity's P-256 private key, PEM", Required = true };
        var rid = new Option<string>("--rid") { Description = "The record identifier to revoke", Required = true };
        var seq = new Option<long>("--seq") { Description = "The revocation's seq: higher than the rid's last publication (it supersedes every lower seq; a still higher seq may publish again)", Required = true };
        var directory = DirectoryOption();
        var trust = PrecheckOption();
        var command = new Command("revoke", "Sign a revocation of a rid and publish it") { cert, key, rid, seq, directory, trust };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = CommandOutput.For(parse);
            IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> chain;
            PassportSigningKey signingKey;
            try
            {
                chain = CertificateChain.LoadPemFile(parse.GetValue(cert)!.FullName);
                signingKey = PassportSigningKey.FromPem(File.ReadAllText(parse.GetValue(key)!.FullName));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return output.Fail(ExitCodes.Failure, e.Message);
            }
            catch (FormatException e)
            {
                return output.Fail(ExitCodes.Usage, e.Message, "--cert is a PEM certificate chain, --key the PEM private key of its first certificate");
            }

            KeyRecord revocation;
            using (signingKey)
            {
                try
                {
                    revocation = new KeyRecordSigner(signingKey, chain).Revoke(parse.GetValue(rid)!, parse.GetValue(seq));
                }
                catch (ArgumentException e)
                {
                    return output.Fail(ExitCodes.Usage, e.Message, "--key must be the private key of the first certificate of --cert; --rid 1 to 64 of A-Z a-z 0-9 . _ -; --seq at least 1");
                }
            }

            return await PublishAsync(output, parse.GetValue(directory)!, parse.GetValue(trust), revocation, cancellationToken);
        });
        return command;
    }

    private static Option<FileInfo?> PrecheckOption() => new("--trust")
    {
        Description = "PEM file of trust anchors: check the entry as a client would before sending it (the directory checks it anyway)",
    };

    private static async Task<int> PublishAsync(CommandOutput output, Uri directory, FileInfo? trust, KeyRecord entry, CancellationToken cancellationToken)
    {
        KeyRecordVerifier verifier;
        try
        {
            // Publishing verifies nothing on this side; without --trust the entry's own top certificate only
            // satisfies the client's constructor.
            var anchors = trust is null
                ? [System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(entry.Chain[^1].Span)]
                : CertificateChain.LoadTrustAnchors(trust.FullName);
            verifier = new KeyRecordVerifier(new StirChainValidator(anchors));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return output.Fail(ExitCodes.Failure, $"--trust: {e.Message}");
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException)
        {
            return output.Fail(ExitCodes.Usage, $"--trust: {e.Message}", "--trust is a PEM file of root certificates");
        }

        if (trust is not null && verifier.Verify(entry) is { IsValid: false } verdict)
        {
            return output.Fail(ExitCodes.Invalid, $"the {(entry.Kind == KeyRecordKind.Record ? "record" : "revocation")} does not verify ({Name(verdict.Failure)}): {verdict.Reason}", "nothing was sent; fix the entry or the certificate");
        }

        using var http = new HttpClient { Timeout = RequestTimeout };
        using var client = new DirectoryClient(http, directory, verifier);
        DirectoryPublishResult result;
        try
        {
            result = await client.PublishAsync(entry, cancellationToken);
        }
        catch (DirectoryUnavailableException e)
        {
            return output.Fail(ExitCodes.Failure, e.Message, "check --directory and that the directory is running");
        }

        var kind = entry.Kind == KeyRecordKind.Record ? "record" : "revocation";
        var json = KeysCommand.Describe(entry);
        json["status"] = result.Status;
        json["accepted"] = result.Accepted;
        if (!result.Accepted)
        {
            json["problem"] = result.ProblemType;
            json["detail"] = result.Detail;
            if (output.IsJson)
            {
                return output.Result(ExitCodes.Invalid, json, _ => { });
            }

            return output.Fail(ExitCodes.Invalid, $"the directory refused the {kind} ({result.ProblemType}): {result.Detail}", RefusalHint(result.ProblemType));
        }

        json["unchanged"] = result.Unchanged;
        json["version"] = result.Version;
        return output.Result(ExitCodes.Success, json, w => w.WriteLine(result.Unchanged
            ? $"unchanged: the identical {kind} {entry} is already current (version {result.Version})"
            : $"{(entry.Kind == KeyRecordKind.Record ? "published" : "revoked")}: {entry} (version {result.Version})"));
    }

    private static string? RefusalHint(string? problem) => problem switch
    {
        "stale-seq" => "use a --seq higher than every earlier one of the rid",
        "not-covered" => "list only numbers the certificate's TNAuthList covers (or give the directory the SPC authorization)",
        "untrusted-chain" => "sign with a certificate that chains to the directory's trust anchors",
        _ => null,
    };

    private static Command CreateLookup()
    {
        var number = new Argument<string>("number") { Description = "The number, +E.164 or canonical" };
        var directory = DirectoryOption();
        var trust = TrustOption();
        var spcAuth = SpcAuthOption();
        var cache = CacheOption(required: false);
        var mode = new Option<string>("--mode") { Description = "bucketed (hides the number among its bucket), exact, cached (asks the directory nothing), or synced (syncs --cache by snapshot and changes, which name no number, then answers from it)", DefaultValueFactory = _ => "bucketed" };
        mode.AcceptOnlyFromAmong("bucketed", "exact", "cached", "synced");
        var command = new Command("lookup", "The verified HPKE keys of a number's key holders") { number, directory, trust, spcAuth, cache, mode };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = CommandOutput.For(parse);
            var text = parse.GetValue(number)!;
            if (!KeysCommand.TryNumber(text, out var tn, out var problem))
            {
                return output.Fail(ExitCodes.Usage, $"{text}: {problem}", "write the number as +<country code><number> or canonically");
            }

            if (!TryClient(parse, output, directory, trust, spcAuth, cache, null, out var client, out var http, out var failed))
            {
                return failed;
            }

            using (http)
            using (client)
            {
                var lookupMode = parse.GetValue(mode) switch
                {
                    "exact" => DirectoryLookupMode.Exact,
                    "cached" => DirectoryLookupMode.Cached,
                    "synced" => DirectoryLookupMode.Synced,
                    _ => DirectoryLookupMode.Bucketed,
                };
                DirectoryLookupResult result;
                try
                {
                    result = await client.LookupAsync(tn, lookupMode, cancellationToken);
                }
                catch (DirectoryUnavailableException e)
                {
                    return output.Fail(ExitCodes.Failure, e.Message, "check --directory, or sync a local copy with `stir directory sync --cache`");
                }
                catch (IOException e)
                {
                    return output.Fail(ExitCodes.Failure, $"--cache: {e.Message}");
                }

                var json = new JsonObject
                {
                    ["number"] = tn.Value,
                    ["source"] = result.Source == DirectoryLookupSource.Cache ? "cache" : "directory",
                    ["ageSeconds"] = (long)result.Age.TotalSeconds,
                    ["truncated"] = result.Truncated,
                    ["keys"] = new JsonArray([.. result.Keys.Select(k => (JsonNode)KeysCommand.Describe(k.Record))]),
                    ["rejected"] = new JsonArray([.. result.Rejected.Select(v => (JsonNode)Describe(v))]),
                };
                if (result.DirectoryFailure is { } failure)
                {
                    json["directoryFailure"] = failure;
                }

                var code = result.Keys.Count > 0 ? ExitCodes.Success : ExitCodes.Invalid;
                return output.Result(code, json, w =>
                {
                    if (result.Source == DirectoryLookupSource.Cache)
                    {
                        w.WriteLine($"from the cache, {(long)result.Age.TotalSeconds} s old{(result.DirectoryFailure is { } why ? $" (directory: {why})" : string.Empty)}");
                    }

                    if (result.Truncated)
                    {
                        w.WriteLine("warning: the bucket was truncated by the directory; use --mode exact to see every record");
                    }

                    foreach (var key in result.Keys)
                    {
                        var r = key.Record;
                        w.WriteLine($"key: {r} {key.Suite.Name} pk={KeysCommand.Base64Url(r.PublicKey.Span)} exp={r.Expires!.Value.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}{(r.Role is { } role ? $" role={role.ToString().ToLowerInvariant()}" : string.Empty)}");
                    }

                    foreach (var verdict in result.Rejected)
                    {
                        w.WriteLine($"rejected ({Name(verdict.Failure)}): {verdict.Reason}");
                    }

                    if (result.Keys.Count == 0)
                    {
                        w.WriteLine($"no usable key for {tn.Value}");
                    }
                });
            }
        });
        return command;
    }

    private static Command CreateSync()
    {
        var directory = DirectoryOption();
        var trust = TrustOption();
        var spcAuth = SpcAuthOption();
        var cache = CacheOption(required: true);
        var numbers = new Option<FileInfo?>("--numbers") { Description = "Address book: a file of numbers (one per line, # comments) whose buckets to prefetch among decoys, instead of copying the whole directory" };
        var decoys = new Option<int>("--decoys") { Description = "With --numbers: how many random decoy buckets to fetch besides the real ones", DefaultValueFactory = _ => 32 };
        var command = new Command("sync", "Copy the directory into --cache (snapshot, then changes), or with --numbers prefetch an address book's buckets among decoys")
        {
            directory, trust, spcAuth, cache, numbers, decoys,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = CommandOutput.For(parse);
            if (parse.GetValue(decoys) is var decoyCount && decoyCount < 0)
            {
                return output.Fail(ExitCodes.Usage, $"--decoys {decoyCount}: not negative");
            }

            List<TelephoneNumber>? book = null;
            if (parse.GetValue(numbers) is { } file)
            {
                try
                {
                    book = ReadNumbers(file.FullName, out var problem);
                    if (book is null)
                    {
                        return output.Fail(ExitCodes.Usage, $"--numbers {file.FullName}: {problem}", "one number per line, +E.164 or canonical; # starts a comment");
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return output.Fail(ExitCodes.Failure, $"--numbers: {e.Message}");
                }
            }

            var progress = output.IsJson ? null : new ProgressDisplay(output.Error, Interactive(output));
            if (!TryClient(parse, output, directory, trust, spcAuth, cache, new DirectoryClientOptions { PrefetchDecoys = decoyCount, Progress = progress }, out var client, out var http, out var failed))
            {
                return failed;
            }

            using (http)
            using (client)
            {
                try
                {
                    return book is null ? await SyncAsync(output, client, cancellationToken) : await PrefetchAsync(output, client, book, cancellationToken);
                }
                catch (DirectoryUnavailableException e)
                {
                    return output.Fail(ExitCodes.Failure, e.Message, "check --directory and that the directory is running; the local copy is unchanged");
                }
                catch (DirectoryDocumentFormatException e)
                {
                    return output.Fail(ExitCodes.Failure, $"the directory's answer is malformed: {e.Message}", "the local copy is unchanged; report this to the directory's operator");
                }
                catch (IOException e)
                {
                    return output.Fail(ExitCodes.Failure, $"--cache: {e.Message}");
                }
                finally
                {
                    progress?.Finish();
                }
            }
        });
        return command;
    }

    private static async Task<int> SyncAsync(CommandOutput output, DirectoryClient client, CancellationToken cancellationToken)
    {
        var result = await client.SyncAsync(cancellationToken);
        var json = new JsonObject
        {
            ["version"] = result.Version,
            ["usedSnapshot"] = result.UsedSnapshot,
            ["changesApplied"] = result.ChangesApplied,
            ["entries"] = result.Entries,
            ["rejected"] = new JsonArray([.. result.Rejected.Select(v => (JsonNode)Describe(v))]),
        };
        var code = result.Rejected.Count == 0 ? ExitCodes.Success : ExitCodes.Invalid;
        return output.Result(code, json, w =>
        {
            w.WriteLine($"synced: version {result.Version}, {result.Entries} entries ({(result.UsedSnapshot ? "snapshot + " : string.Empty)}{result.ChangesApplied} changes)");
            foreach (var verdict in result.Rejected)
            {
                w.WriteLine($"rejected ({Name(verdict.Failure)}): {verdict.Reason}");
            }
        });
    }

    private static async Task<int> PrefetchAsync(CommandOutput output, DirectoryClient client, List<TelephoneNumber> book, CancellationToken cancellationToken)
    {
        var result = await client.PrefetchAsync(book, cancellationToken);
        var json = new JsonObject
        {
            ["numbers"] = result.Numbers,
            ["realBuckets"] = result.RealBuckets,
            ["decoyBuckets"] = result.DecoyBuckets,
            ["truncatedBuckets"] = result.TruncatedBuckets,
            ["failures"] = new JsonArray([.. result.Failures.Select(f => (JsonNode)f)]),
        };
        if (result.Failures.Count > 0)
        {
            if (output.IsJson)
            {
                return output.Result(ExitCodes.Failure, json, _ => { });
            }

            return output.Fail(ExitCodes.Failure, $"{result.Failures.Count} of {result.RealBuckets + result.DecoyBuckets} buckets failed, first: {result.Failures[0]}", "run the sync again; cached answers of the others are kept");
        }

        return output.Result(ExitCodes.Success, json, w =>
            w.WriteLine($"prefetched: {result.Numbers} numbers in {result.RealBuckets} buckets, among {result.DecoyBuckets} decoy buckets{(result.TruncatedBuckets > 0 ? $" ({result.TruncatedBuckets} truncated)" : string.Empty)}"));
    }

    /// <summary>Reads an address book: one number a line, +E.164 or canonical; blank lines and # comments skipped.</summary>
    /// <returns>The numbers, or null with the line and cause in <paramref name="problem"/>.</returns>
    internal static List<TelephoneNumber>? ReadNumbers(string path, out string problem)
    {
        var numbers = new List<TelephoneNumber>();
        var line = 0;
        foreach (var raw in File.ReadLines(path))
        {
            line++;
            var text = raw;
            if (text.IndexOf('#', StringComparison.Ordinal) is var hash and >= 0)
            {
                text = text[..hash];
            }

            text = text.Trim();
            if (text.Length == 0)
            {
                continue;
            }

            if (!KeysCommand.TryNumber(text, out var number, out var cause))
            {
                problem = $"line {line.ToString(CultureInfo.InvariantCulture)}: {text}: {cause}";
                return null;
            }

            numbers.Add(number);
        }

        if (numbers.Count == 0)
        {
            problem = "holds no number";
            return null;
        }

        problem = string.Empty;
        return numbers;
    }

    private static Option<FileInfo> TrustOption() => new("--trust") { Description = "PEM file of trust anchors (STI root CAs); every record's chain must lead to one", Required = true };

    private static Option<FileInfo?> SpcAuthOption() => new("--spc-auth") { Description = "SPC authorization file: which numbers each SPC covers (for certificates that carry only an SPC)" };

    private static Option<DirectoryInfo?> CacheOption(bool required) => new("--cache")
    {
        Description = "Directory for the local copy, cached answers and the ledger of seen records (created if missing); without it, nothing is kept",
        Required = required,
    };

    // A client that verifies with --trust/--spc-auth and keeps its cache and ledger in --cache.
    private static bool TryClient(
        ParseResult parse,
        CommandOutput output,
        Option<Uri> directory,
        Option<FileInfo> trust,
        Option<FileInfo?> spcAuth,
        Option<DirectoryInfo?> cache,
        DirectoryClientOptions? options,
        out DirectoryClient client,
        out HttpClient http,
        out int failed)
    {
        client = null!;
        http = null!;
        KeyRecordVerifier verifier;
        try
        {
            var anchors = CertificateChain.LoadTrustAnchors(parse.GetValue(trust)!.FullName);
            var spc = parse.GetValue(spcAuth) is { } spcFile ? SpcAuthorization.Load(spcFile.FullName) : null;
            verifier = new KeyRecordVerifier(new StirChainValidator(anchors, new StirChainValidatorOptions { SpcAuthorization = spc }));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failed = output.Fail(ExitCodes.Failure, e.Message);
            return false;
        }
        catch (FormatException e)
        {
            failed = output.Fail(ExitCodes.Usage, e.Message, "--trust is a PEM file of root certificates, --spc-auth an SPC authorization file");
            return false;
        }

        var cacheDirectory = parse.GetValue(cache)?.FullName;
        http = new HttpClient { Timeout = RequestTimeout };
        try
        {
            if (cacheDirectory is not null)
            {
                System.IO.Directory.CreateDirectory(cacheDirectory);
            }

            client = new DirectoryClient(http, parse.GetValue(directory)!, verifier, new DirectoryClientOptions
            {
                CacheDirectory = cacheDirectory,
                PrefetchDecoys = options?.PrefetchDecoys ?? new DirectoryClientOptions().PrefetchDecoys,
                Progress = options?.Progress,
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            http.Dispose();
            failed = output.Fail(ExitCodes.Failure, $"--cache {cacheDirectory}: {e.Message}");
            return false;
        }
        catch (KeyRecordLedgerFormatException e)
        {
            http.Dispose();
            failed = output.Fail(ExitCodes.Failure, e.Message, "the ledger in --cache is damaged; move it aside to start a new one (rollback detection starts over)");
            return false;
        }

        failed = ExitCodes.Success;
        return true;
    }

    private static JsonObject Describe(KeyRecordVerdict verdict)
    {
        var json = new JsonObject { ["failure"] = Name(verdict.Failure), ["reason"] = verdict.Reason };
        if (verdict.Record is { } record)
        {
            json["holder"] = record.Holder;
            json["rid"] = record.Rid;
            json["seq"] = record.Seq;
            json["hash"] = record.Hash;
        }

        if (verdict.SeenSeq is { } seenSeq)
        {
            json["seenSeq"] = seenSeq;
            json["seenHash"] = verdict.SeenHash;
        }

        return json;
    }

    // The verdict names in kebab case, as problem types are written.
    private static string Name(KeyRecordFailure failure) => string.Concat(failure.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? $"-{char.ToLowerInvariant(c)}" : char.ToLowerInvariant(c).ToString()));

    // A live display only for a person at a terminal; redirected output gets plain lines.
    private static bool Interactive(CommandOutput output) =>
        !Console.IsOutputRedirected && !Console.IsErrorRedirected && ReferenceEquals(output.Error, Console.Error);
}
