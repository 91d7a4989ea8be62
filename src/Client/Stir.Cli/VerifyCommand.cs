using System.CommandLine;
using System.Text.Json.Nodes;
using Stir.Encrypted.Calls;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Sip;

namespace Stir.Encrypted.Cli;

/// <summary>
/// `stir verify`: the callee's side of an out-of-band call (RFC 8816 §8.2). With the callee's private keys, derives
/// the call's index (one bucket per candidate epoch), retrieves it and trial-opens every blob with every key, verifies what opens and prints the verdict, its RFC 8224
/// verstat, the reason and each step's time. With --invite (a terminating gateway, use case 3) it also writes the
/// INVITE with the verified PASSporTs re-inserted as Identity header fields. Exit 0 TN-Validation-Passed,
/// 1 failed or nothing verifiable, 2 usage, 3 the CPS or a file failed (the call proceeds unverified).
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var orig = new Option<string?>("--orig") { Description = "The calling number presented, E.164 (not needed with --invite)" };
        var dest = new Option<string?>("--dest") { Description = "The called number, E.164 (not needed with --invite)" };
        var keys = new Option<string[]>("--keys") { Description = "The callee's HPKE X25519 private key files (raw 32 bytes, or hex text for .hex), repeatable", Required = true };
        var trust = new Option<string>("--trust") { Description = "PEM file of the STI trust anchors PASSporT certificates must chain to", Required = true };
        var state = new Option<string?>("--state") { Description = "File remembering consumed PASSporTs between runs, so that a replay is caught by the next `stir verify`" };
        var invite = new Option<string?>("--invite") { Description = "The INVITE that arrived from the PSTN: verify its call and print it with the Identity header fields re-inserted" };
        var inviteOut = new Option<string?>("--invite-out") { Description = "With --invite: write the new INVITE to this file" };
        var knownCps = ConfigurationWarning.KnownCpsOption();
        var command = new Command("verify", "Retrieve and verify a call's PASSporTs out of band with the callee's keys") { orig, dest, keys, trust, state, invite, inviteOut, knownCps };
        var routing = CallRouting.Add(command, withDirectory: false);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = CommandOutput.For(parse);
            SipInvite? incoming = null;
            Telephony.TelephoneNumber? from, to;
            if (parse.GetValue(invite) is { } invitePath)
            {
                try
                {
                    incoming = SipInvite.Parse(await File.ReadAllBytesAsync(invitePath, cancellationToken));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return output.Fail(ExitCodes.Failure, $"--invite: cannot read {invitePath}: {e.Message}");
                }
                catch (SipFormatException e)
                {
                    return output.Fail(ExitCodes.Invalid, $"--invite: {e.Message}");
                }

                (from, to) = (incoming.Caller.Number, incoming.Target.Number ?? incoming.Callee.Number);
                if (from is null || to is null)
                {
                    return output.Fail(ExitCodes.Invalid, "--invite: the INVITE's caller or target has no telephone number");
                }
            }
            else if (!Numbers.TryParse(output, parse.GetValue(orig), "--orig", out from, out var failed) || !Numbers.TryParse(output, parse.GetValue(dest), "--dest", out to, out failed))
            {
                return failed;
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

            using var ring = new CalleeKeyRing();
            foreach (var file in parse.GetValue(keys) ?? [])
            {
                if (!TryLoadKey(output, file, out var key, out var failed))
                {
                    return failed;
                }

                ring.Add(to, key);
            }

            var (router, _, source, routingError) = await routing.ResolveAsync(parse, to, needDirectory: false, cancellationToken);
            if (routingError is not null)
            {
                return output.Fail(routingError.StartsWith("--", StringComparison.Ordinal) ? ExitCodes.Usage : ExitCodes.Failure, routingError, "give --cps, or check DNS with `stir discover`");
            }

            using var http = new HttpClient();
            var validator = new StirChainValidator(anchors);
            var allowHttp = parse.GetValue(routing.AllowHttp);
            var parseOptions = new PassportParseOptions { AllowLoopbackHttpX5u = allowHttp };
            var x5u = new X5uResolver(http, validator, new X5uResolverOptions { AllowHttp = allowHttp });
            var passports = new PassportVerifier(new StirCredentialResolver(validator, x5u), new PassportVerifierOptions { ParseOptions = parseOptions });
            CallVerifier verifier;
            try
            {
                verifier = new CallVerifier(http, router!, ring, passports, new CallVerifierOptions
                {
                    ConsumedStateFile = parse.GetValue(state),
                    Cps = new Cps.CpsClientOptions { KnownConfigurationsFile = parse.GetValue(knownCps) },
                });
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Cps.KnownCpsConfigurationsFormatException)
            {
                return output.Fail(ExitCodes.Failure, $"--known-cps or --state: {e.Message}", "move a damaged file aside to start over");
            }

            CallVerdict verdict;
            GatewayDelivery? delivery = null;
            if (incoming is not null)
            {
                delivery = await new GatewayDeliver(verifier, parseOptions).DeliverAsync(incoming, cancellationToken);
                verdict = delivery.Verdict!;
                if (parse.GetValue(inviteOut) is { } outPath)
                {
                    try
                    {
                        await File.WriteAllBytesAsync(outPath, delivery.Invite.ToBytes(), cancellationToken);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        return output.Fail(ExitCodes.Failure, $"--invite-out: cannot write {outPath}: {e.Message}");
                    }
                }
            }
            else
            {
                verdict = await verifier.VerifyAsync(from, to, cancellationToken);
            }

            // Identity header values of what verified: what a terminating gateway puts into SIP (x5u PASSporTs only).
            var headers = verdict.Verstat == Verstat.TnValidationPassed
                ? verdict.Tokens.Select(t => Passport.Parse(t, parseOptions)).Select(p => SipGateway.TryGetIdentityHeader(p, out var v, out _) ? v : null).OfType<string>().ToList()
                : [];
            var code = verdict.Verstat == Verstat.TnValidationPassed ? ExitCodes.Success
                : verdict.Steps.LastOrDefault()?.Name is "route" or "retrieve" ? ExitCodes.Failure
                : ExitCodes.Invalid;
            return output.Result(
                code,
                new JsonObject
                {
                    ["verstat"] = verdict.Verstat.ToToken(),
                    ["reason"] = verdict.Reason,
                    ["suspicious"] = verdict.Suspicious,
                    ["orig"] = from.Value,
                    ["dest"] = to.Value,
                    ["routing"] = source,
                    ["passports"] = new JsonArray([.. verdict.Tokens.Select(t => (JsonNode)t)]),
                    ["identityHeaders"] = new JsonArray([.. headers.Select(h => (JsonNode)h)]),
                    ["delivery"] = delivery?.Detail,
                    ["configurationChange"] = ConfigurationWarning.ToJson(verdict.ConfigurationChange),
                    ["steps"] = Steps.ToJson(verdict.Steps),
                    ["totalMs"] = Steps.Ms(verdict.Total),
                },
                w =>
                {
                    if (verdict.ConfigurationChange is { } change)
                    {
                        w.WriteLine(ConfigurationWarning.Line(change));
                    }

                    w.WriteLine($"verstat: {verdict.Verstat.ToToken()}{(verdict.Suspicious ? " (suspicious)" : string.Empty)}");
                    w.WriteLine($"reason:  {verdict.Reason}");
                    Steps.Write(w, verdict.Steps);
                    foreach (var h in headers)
                    {
                        w.WriteLine($"Identity: {h}");
                    }

                    if (delivery is not null)
                    {
                        w.WriteLine($"gateway: {delivery.Detail}");
                    }
                });
        });
        return command;
    }

    // 43 base64url characters (no padding) with optional surrounding whitespace; anything else is left to the raw rule.
    private static bool TryDecodeBase64UrlKey(byte[] file, out byte[] key)
    {
        key = [];
        var text = System.Text.Encoding.ASCII.GetString(file).Trim();
        if (text.Length != 43 || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return false;
        }

        key = Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/') + "=");
        return key.Length == 32;
    }

    private static bool TryLoadKey(CommandOutput output, string file, out HpkePrivateKey key, out int failed)
    {
        key = null!;
        failed = 0;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failed = output.Fail(ExitCodes.Failure, $"--keys: cannot read {file}: {e.Message}");
            return false;
        }

        try
        {
            if (file.EndsWith(".hex", StringComparison.OrdinalIgnoreCase))
            {
                var text = System.Text.Encoding.ASCII.GetString(bytes);
                if (!HpkeCommand.TryParseHex(text, out var raw, out var error))
                {
                    failed = output.Fail(ExitCodes.Usage, $"--keys {file}: {error}");
                    return false;
                }

                System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
                bytes = raw;
            }
            else if (bytes.Length != 32 && TryDecodeBase64UrlKey(bytes, out var decoded))
            {
                // The text format of `stir keys generate`: the 32 bytes as base64url (43 characters) and a newline.
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
                bytes = decoded;
            }

            key = HpkePrivateKey.Import(HpkeKem.X25519HkdfSha256, bytes);
            return true;
        }
        catch (HpkeFormatException e)
        {
            failed = output.Fail(ExitCodes.Usage, $"--keys {file}: {e.Message}", "an X25519 private key: the base64url text of `stir keys generate`, 32 raw bytes, or 64 hex digits in a .hex file (`stir hpke keygen`)");
            return false;
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
