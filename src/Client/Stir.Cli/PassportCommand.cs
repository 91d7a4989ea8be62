using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cli;

/// <summary>
/// `stir passport`: sign and verify PASSporTs (RFC 8225, 8588, 8946).
/// Exit codes: 0 valid; 1 invalid (the verdict's rule and message; a token that is not a PASSporT is
/// invalid input, so it is 1 too); 2 usage (an option that does not parse, a missing credential source);
/// 3 I/O (a key or chain file that cannot be read).
/// </summary>
internal static class PassportCommand
{
    public static Command Create() => Create(new SignerCredentialSource());

    /// <summary>
    /// The command with <paramref name="credentials"/> deciding how `verify` finds signers. Today a static
    /// public key; the STIR certificate work swaps in x5u fetching and chain validation here.
    /// </summary>
    internal static Command Create(ICredentialSource credentials)
    {
        var command = new Command("passport", "Sign and verify PASSporTs (RFC 8225; SHAKEN RFC 8588; diversion RFC 8946)");
        command.Subcommands.Add(CreateSign());
        command.Subcommands.Add(CreateVerify(credentials));
        return command;
    }

    private static Command CreateSign()
    {
        var key = new Option<FileInfo>("--key") { Description = "The signer's P-256 private key, PEM (PKCS#8 or SEC 1)", Required = true };
        var x5u = new Option<string?>("--x5u") { Description = "https URL of the signer's certificate chain (RFC 8225 §4.3)" };
        var x5c = new Option<FileInfo?>("--x5c-chain") { Description = "PEM file with the signer's certificate chain, signer first, to embed as x5c" };
        var orig = new Option<string>("--orig") { Description = "Calling identity: +E.164 number, canonical number, or URI", Required = true };
        var dest = new Option<string[]>("--dest") { Description = "Called identity (repeatable): +E.164 number, canonical number, or URI", Required = true };
        var ppt = new Option<string?>("--ppt") { Description = "PASSporT type: shaken, div or div-o (default: shaken with --attest, div with --div, else none)" };
        ppt.AcceptOnlyFromAmong(PassportTypes.Supported.ToArray());
        var attest = new Option<string?>("--attest") { Description = "SHAKEN attestation level (RFC 8588 §4)" };
        attest.AcceptOnlyFromAmong("A", "B", "C");
        var origId = new Option<Guid?>("--origid") { Description = "SHAKEN origination identifier, a UUID (default: a random one)" };
        var div = new Option<string?>("--div") { Description = "The identity the call was diverted from (RFC 8946 §3)" };
        var opt = new Option<string?>("--opt") { Description = "For div-o: the original PASSporT (full form) to nest in opt (RFC 8946 §5)" };
        var iat = new Option<long?>("--iat") { Description = "Issued-at time, seconds since the epoch (default: now)" };
        var command = new Command("sign", "Sign a PASSporT; text output is the token, --output json adds the Identity header and decoded parts")
        {
            key, x5u, x5c, orig, dest, ppt, attest, origId, div, opt, iat,
        };

        command.SetAction(parse =>
        {
            var output = CommandOutput.For(parse);
            var builder = new PassportBuilder();
            if (parse.GetValue(x5u) is null && parse.GetValue(x5c) is null)
            {
                return output.Fail(ExitCodes.Usage, "the signer's certificate is not named", "give --x5u <https URL> and/or --x5c-chain <PEM file>");
            }

            if (!TryIdentity(parse.GetValue(orig)!, "--orig", out var origIdentity, out var problem))
            {
                return output.Fail(ExitCodes.Usage, problem, IdentityHint);
            }

            builder.WithOrig(origIdentity);
            foreach (var value in parse.GetValue(dest)!)
            {
                if (!TryIdentity(value, "--dest", out var destIdentity, out problem))
                {
                    return output.Fail(ExitCodes.Usage, problem, IdentityHint);
                }

                builder.AddDest(destIdentity);
            }

            if (parse.GetValue(iat) is { } issuedAt)
            {
                if (issuedAt < 0)
                {
                    return output.Fail(ExitCodes.Usage, $"--iat {issuedAt} is negative", "give seconds since 1970-01-01T00:00:00Z");
                }

                builder.WithIat(issuedAt);
            }

            var type = parse.GetValue(ppt) ?? (parse.GetValue(attest) is not null ? PassportTypes.Shaken : parse.GetValue(div) is not null ? PassportTypes.Div : null);
            switch (type)
            {
                case PassportTypes.Shaken:
                    if (parse.GetValue(attest) is not { } level)
                    {
                        return output.Fail(ExitCodes.Usage, "--ppt shaken needs --attest A|B|C (RFC 8588 §4)");
                    }

                    builder.WithShaken(level, parse.GetValue(origId) ?? Guid.NewGuid());
                    break;
                case PassportTypes.Div or PassportTypes.DivO:
                    if (parse.GetValue(div) is not { } divValue)
                    {
                        return output.Fail(ExitCodes.Usage, $"--ppt {type} needs --div <the number the call was diverted from> (RFC 8946 §3)");
                    }

                    if (!TryIdentity(divValue, "--div", out var divIdentity, out problem))
                    {
                        return output.Fail(ExitCodes.Usage, problem, IdentityHint);
                    }

                    if (type == PassportTypes.Div)
                    {
                        builder.WithDiv(divIdentity);
                        break;
                    }

                    if (!Passport.TryParse(parse.GetValue(opt) ?? string.Empty, out var original, out var optError))
                    {
                        return output.Fail(ExitCodes.Usage, $"--opt: {(parse.GetValue(opt) is null ? "missing" : optError.Message)}", "div-o nests the original PASSporT, full form (RFC 8946 §5)");
                    }

                    builder.WithDivO(divIdentity, original);
                    break;
                default:
                    if (parse.GetValue(attest) is not null || parse.GetValue(div) is not null)
                    {
                        return output.Fail(ExitCodes.Usage, "--attest and --div belong to --ppt shaken and --ppt div/div-o");
                    }

                    break;
            }

            try
            {
                if (parse.GetValue(x5u) is { } url)
                {
                    builder.WithX5u(url);
                }

                if (parse.GetValue(x5c) is { } chainFile)
                {
                    var chain = new X509Certificate2Collection();
                    chain.ImportFromPemFile(chainFile.FullName);
                    if (chain.Count == 0)
                    {
                        return output.Fail(ExitCodes.Usage, $"--x5c-chain {chainFile.Name}: no certificate in the file");
                    }

                    builder.WithX5c(chain);
                }
            }
            catch (ArgumentException e)
            {
                return output.Fail(ExitCodes.Usage, e.Message);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return output.Fail(ExitCodes.Failure, $"--x5c-chain: {e.Message}");
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                return output.Fail(ExitCodes.Usage, $"--x5c-chain: not a PEM certificate chain: {e.Message}");
            }

            if (!TryReadFile(parse.GetValue(key)!, out var pem, out var readError))
            {
                return output.Fail(ExitCodes.Failure, $"--key: {readError}");
            }

            PassportSigningKey signingKey;
            try
            {
                signingKey = PassportSigningKey.FromPem(pem);
            }
            catch (FormatException e)
            {
                return output.Fail(ExitCodes.Usage, $"--key: {e.Message}", "generate one with: openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt");
            }

            using (signingKey)
            {
                Passport passport;
                try
                {
                    passport = builder.Sign(new PassportSigner(signingKey));
                }
                catch (ArgumentException e)
                {
                    return output.Fail(ExitCodes.Usage, e.Message);
                }

                var json = new JsonObject { ["token"] = passport.Token, ["compactForm"] = passport.CompactForm };
                if (passport.Header.X5u is not null)
                {
                    json["identityHeader"] = passport.ToIdentityHeader();
                }

                AddDecoded(json, passport);
                return output.Result(ExitCodes.Success, json, w => w.WriteLine(passport.Token));
            }
        });
        return command;
    }

    private static Command CreateVerify(ICredentialSource credentials)
    {
        var input = new Argument<string>("token") { Description = "A full-form PASSporT, or a SIP Identity header value carrying one; - reads it from standard input" };
        var at = new Option<long?>("--at") { Description = "Judge freshness at this time, seconds since the epoch (default: now)" };
        var freshness = new Option<int?>("--freshness") { Description = "Freshness window in seconds (default 60, RFC 8224 §6.2)" };
        var dest = new Option<string?>("--dest") { Description = "The called number, which must be in dest" };
        var command = new Command("verify", "Verify a PASSporT: signature, freshness, the signer's authority over orig, and dest") { input, at, freshness, dest };
        foreach (var option in credentials.Options)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = CommandOutput.For(parse);
            var text = parse.GetValue(input)!;
            if (text == "-")
            {
                text = await Console.In.ReadToEndAsync(cancellationToken);
            }

            text = text.Trim();
            TelephoneNumber? expectedDest = null;
            if (parse.GetValue(dest) is { } destValue)
            {
                if (!TryIdentity(destValue, "--dest", out var identity, out var problem) || identity.Tn is null)
                {
                    return output.Fail(ExitCodes.Usage, problem.Length > 0 ? problem : $"--dest {destValue}: a telephone number is expected", IdentityHint);
                }

                expectedDest = identity.Tn;
            }

            var options = PassportVerifierOptions.Default;
            if (parse.GetValue(freshness) is { } seconds)
            {
                if (seconds <= 0)
                {
                    return output.Fail(ExitCodes.Usage, $"--freshness {seconds}: must be a positive number of seconds");
                }

                options = new PassportVerifierOptions { Freshness = TimeSpan.FromSeconds(seconds) };
            }

            var time = parse.GetValue(at) is { } unix ? new FixedTimeProvider(DateTimeOffset.FromUnixTimeSeconds(unix)) : TimeProvider.System;
            var resolver = credentials.Create(parse, output, time, out var failure);
            if (resolver is null)
            {
                return failure;
            }

            using (resolver as IDisposable)
            {
                var verdict = await new PassportVerifier(resolver, options, time).VerifyAsync(text, expectedDest, cancellationToken);
                var json = new JsonObject { ["valid"] = verdict.IsValid, ["rule"] = verdict.Rule.ToString(), ["message"] = verdict.Message };
                if (verdict.Signer is not null)
                {
                    json["signer"] = verdict.Signer;
                }

                if (verdict.Passport is { } passport)
                {
                    AddDecoded(json, passport);
                }

                if (verdict.FormatError is { } error)
                {
                    json["problems"] = new JsonArray(error.Problems.Select(p => (JsonNode)new JsonObject
                    {
                        ["part"] = p.Part.ToString(),
                        ["field"] = p.Field,
                        ["message"] = p.Message,
                    }).ToArray());
                }

                return output.Result(
                    verdict.IsValid ? ExitCodes.Success : ExitCodes.Invalid,
                    json,
                    w => w.WriteLine(verdict.IsValid ? $"valid: {verdict.Message}" : $"invalid: {verdict.Rule}: {verdict.Message}"));
            }
        });
        return command;
    }

    private const string IdentityHint = "write numbers as +<country code><number> (e.g. +12025550123) or canonically (12025550123), URIs as sip:user@host";

    // A +E.164 number (as people write it), a number already canonical (RFC 8224 §8.3), or a URI.
    private static bool TryIdentity(string value, string option, out PassportIdentity identity, out string problem)
    {
        identity = null!;
        if (value.StartsWith('+') || value.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
        {
            if (TelephoneNumber.TryParseE164(value, out var e164, out var error))
            {
                identity = PassportIdentity.FromTn(e164);
                problem = string.Empty;
                return true;
            }

            problem = $"{option}: {error.Message}";
            return false;
        }

        if (value.Length > 0 && value.All(c => char.IsAsciiDigit(c) || c is '#' or '*'))
        {
            if (TelephoneNumber.TryParseCanonical(value, out var canonical, out var error))
            {
                identity = PassportIdentity.FromTn(canonical);
                problem = string.Empty;
                return true;
            }

            problem = $"{option}: {error.Message}";
            return false;
        }

        try
        {
            identity = PassportIdentity.FromUri(value);
            problem = string.Empty;
            return true;
        }
        catch (ArgumentException e)
        {
            problem = $"{option}: neither a number nor a URI: {e.Message}";
            return false;
        }
    }

    private static void AddDecoded(JsonObject json, Passport passport)
    {
        json["header"] = JsonNode.Parse(passport.RawHeader.Span);
        json["claims"] = JsonNode.Parse(passport.RawClaims.Span);
        json["canonical"] = new JsonObject { ["header"] = passport.IsHeaderCanonical, ["claims"] = passport.AreClaimsCanonical };
    }

    private static bool TryReadFile(FileInfo file, out string text, out string error)
    {
        try
        {
            text = File.ReadAllText(file.FullName);
            error = string.Empty;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            text = string.Empty;
            error = $"cannot read {file.FullName}: {e.Message}";
            return false;
        }
    }

    /// <summary>How `stir passport verify` finds the signer of a PASSporT: the options it adds, and the resolver it builds.</summary>
    internal interface ICredentialSource
    {
        IReadOnlyList<Option> Options { get; }

        /// <summary>The resolver, judging certificates at <paramref name="time"/>, or null after reporting why through <paramref name="output"/> (the exit code in <paramref name="exitCode"/>).</summary>
        IPassportCredentialResolver? Create(ParseResult parse, CommandOutput output, TimeProvider time, out int exitCode);
    }

    /// <summary>
    /// How `verify` finds the signer: STIR certificates validated to <c>--trust</c> anchors (x5c in the token,
    /// else <c>--chain</c>, else x5u fetched), or one <c>--public-key</c> trusted for every number.
    /// </summary>
    private sealed class SignerCredentialSource : ICredentialSource
    {
        private readonly Option<FileInfo?> _trust = new("--trust") { Description = "PEM file of trust anchors (STI root CAs); the signer's chain must lead to one" };
        private readonly Option<FileInfo?> _chain = new("--chain") { Description = "PEM chain (signer first) to use instead of fetching x5u" };
        private readonly Option<FileInfo?> _spcAuth = new("--spc-auth") { Description = "SPC authorization file: which numbers each SPC covers (SHAKEN certificates carry only an SPC)" };
        private readonly Option<bool> _allowHttpX5u = new("--allow-http-x5u") { Description = "Also fetch http:// x5u URLs (development only; https is required otherwise)" };
        private readonly Option<FileInfo?> _publicKey = new("--public-key") { Description = "Instead of certificates: one PEM public key or certificate, trusted for every number" };

        public IReadOnlyList<Option> Options => [_trust, _chain, _spcAuth, _allowHttpX5u, _publicKey];

        public IPassportCredentialResolver? Create(ParseResult parse, CommandOutput output, TimeProvider time, out int exitCode)
        {
            if (parse.GetValue(_publicKey) is { } keyFile)
            {
                if (parse.GetValue(_trust) is not null || parse.GetValue(_chain) is not null)
                {
                    exitCode = output.Fail(ExitCodes.Usage, "--public-key cannot be combined with --trust or --chain", "use certificates (--trust, optionally --chain) or one public key, not both");
                    return null;
                }

                return FromPublicKey(keyFile, output, out exitCode);
            }

            if (parse.GetValue(_trust) is not { } trustFile)
            {
                exitCode = output.Fail(ExitCodes.Usage, "no way to find the signer: give the trust anchors", "add --trust <PEM of STI root CAs> (and --chain <PEM> to avoid fetching x5u), or --public-key <PEM>");
                return null;
            }

            try
            {
                var anchors = CertificateChain.LoadTrustAnchors(trustFile.FullName);
                var spc = parse.GetValue(_spcAuth) is { } spcFile ? SpcAuthorization.Load(spcFile.FullName) : null;
                var validator = new StirChainValidator(anchors, new StirChainValidatorOptions { TimeProvider = time, SpcAuthorization = spc });
                var localChain = parse.GetValue(_chain) is { } chainFile ? CertificateChain.LoadPemFile(chainFile.FullName) : null;
                var x5u = localChain is null
                    ? new X5uResolver(new HttpClient(), validator, new X5uResolverOptions { AllowHttp = parse.GetValue(_allowHttpX5u) })
                    : null;
                exitCode = ExitCodes.Success;
                return new StirCredentialResolver(validator, x5u, localChain);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                exitCode = output.Fail(ExitCodes.Failure, e.Message);
                return null;
            }
            catch (Exception e) when (e is FormatException)
            {
                exitCode = output.Fail(ExitCodes.Usage, e.Message, "check the PEM files given to --trust, --chain and --spc-auth");
                return null;
            }
        }

        private static StaticKeyCredentialResolver? FromPublicKey(FileInfo file, CommandOutput output, out int exitCode)
        {
            if (!TryReadFile(file, out var pem, out var error))
            {
                exitCode = output.Fail(ExitCodes.Failure, $"--public-key: {error}");
                return null;
            }

            try
            {
                exitCode = ExitCodes.Success;
                return StaticKeyCredentialResolver.FromPem(pem);
            }
            catch (FormatException e)
            {
                exitCode = output.Fail(ExitCodes.Usage, $"--public-key: {e.Message}");
                return null;
            }
        }
    }

    /// <summary>A clock stopped at one moment, for --at.</summary>
    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
