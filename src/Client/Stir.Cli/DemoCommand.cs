using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Cps;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cli;

/// <summary>
/// `stir demo`: the main job in one command, on this machine, nothing to configure. It walks a call through
/// every piece that exists: a development PKI, a signed PASSporT verified through its chain, a spoofed one
/// refused, the call's index, the padded blob sealed to the callee and trial-opened among decoys.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var command = new Command("demo", "Run the system end to end on this machine and print each verdict with its timings");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = CommandOutput.For(parse);
            var steps = new JsonArray();
            var lines = new List<string>();
            var failed = false;

            void Step(string name, bool ok, string detail, double ms)
            {
                failed |= !ok;
                steps.Add(new JsonObject { ["step"] = name, ["ok"] = ok, ["detail"] = detail, ["ms"] = Math.Round(ms, 2) });
                lines.Add($"{(ok ? "ok  " : "FAIL")} {name,-34} {ms,8:F1} ms  {detail}");
            }

            var alice = TelephoneNumber.ParseE164("+1 202 555 0123");
            var bob = TelephoneNumber.ParseE164("+1 303 555 0100");
            var mallory = TelephoneNumber.ParseE164("+1 415 555 0199");
            var time = TimeProvider.System;
            var sw = Stopwatch.StartNew();

            // 1. A development PKI: root → intermediate → the caller's carrier, authorised for Alice's block.
            using var pki = DevelopmentPki.Create(time);
            using var carrier = pki.IssueEndEntity("carrier-a", new TNAuthList([new TNEntry.Range(new TelephoneNumberRange(TelephoneNumber.ParseCanonical("12025550100"), 100))]), TimeSpan.FromDays(1));
            Step("development PKI", true, $"root, intermediate, end entity for {carrier.TNAuthList}", Lap(sw));

            // 2. The caller's side signs a SHAKEN PASSporT for Alice → Bob, with its chain in x5c.
            using var signingKey = PassportSigningKey.FromECDsa(carrier.PrivateKey);
            var signer = new PassportSigner(signingKey, time);
            var passport = new PassportBuilder().WithX5c(carrier.Chain).WithOrig(alice).AddDest(bob).WithShaken("A", Guid.NewGuid()).Sign(signer);
            Step("sign PASSporT (ES256, SHAKEN)", true, $"{passport.Token.Length} characters, orig {alice.ToE164()} → dest {bob.ToE164()}", Lap(sw));

            // 3. The callee's side verifies it through the chain and the TNAuthList.
            var verifier = new PassportVerifier(new StirCredentialResolver(new StirChainValidator([pki.Root.Certificate], new StirChainValidatorOptions { TimeProvider = time })), null, time);
            var verdict = await verifier.VerifyAsync(passport.Token, bob, cancellationToken);
            Step("verify PASSporT", verdict.IsValid, verdict.IsValid ? "TN-Validation-Passed" : $"{verdict.Rule}: {verdict.Message}", Lap(sw));

            // 4. A spoofer with the same carrier's key claims Mallory's number: refused.
            var spoofed = new PassportBuilder().WithX5c(carrier.Chain).WithOrig(mallory).AddDest(bob).Sign(signer);
            var spoofVerdict = await verifier.VerifyAsync(spoofed.Token, bob, cancellationToken);
            Step("spoofed caller refused", spoofVerdict.Rule == PassportRule.OrigNotCovered, $"TN-Validation-Failed ({spoofVerdict.Rule})", Lap(sw));

            // 5. The call's index: Argon2id over (dest, epoch), then HMAC binding orig; the CPS sees 14 bits.
            var parameters = new IndexParameters(RandomNumberGenerator.GetBytes(IndexParameters.SaltSize), IndexParameters.DefaultMemoryKiB, IndexParameters.DefaultIterations, IndexParameters.DefaultBucketBits, IndexParameters.DefaultEpochSeconds);
            var epoch = parameters.EpochAt(time.GetUtcNow());
            using var bobKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
            var index = BlobIndex.Derive(parameters, alice, bob, epoch, bobKey.PublicKey);
            Step("derive index (Argon2id 19 MiB)", true, $"epoch {epoch}, bucket {index.BucketText} of 2^{parameters.BucketBits}", Lap(sw));

            // 6. Padded and sealed to the callee's key: the blob size does not depend on the PASSporT.
            var suite = BlobSealer.Suite;
            var sizeClass = new SizeClass(4096, 12);
            var config = new CpsConfiguration(parameters, [sizeClass], RetentionPolicy.Default, false, 8, 5);
            var blob = BlobSealer.Seal(config, index, [passport.Token], bobKey.PublicKey);
            Step("seal blob (HPKE X25519)", blob.Length == sizeClass.Size, $"{blob.Length} bytes ({passport.Token.Length}-character PASSporT inside)", Lap(sw));

            // 7. The callee trial-opens its blob among decoys; decoys and blobs for other keys do not open.
            var candidates = Enumerable.Range(0, sizeClass.Slots - 1).Select(_ => suite.Seal(HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256).PublicKey, index.HpkeInfo(), [], new byte[sizeClass.PlaintextSize])).Append(blob).ToList();
            Lap(sw);
            var opened = BucketOpener.Open(index, [.. candidates.Select(c => (ReadOnlyMemory<byte>)c)], bobKey);
            var recovered = opened.Count == 1 ? opened[0].Passports : [];
            Step("trial-open bucket of 12", recovered.Count == 1 && recovered[0] == passport.Token, $"{opened.Count} of {candidates.Count} opened, PASSporT recovered intact", Lap(sw));

            // 8. A blob moved to another index (another caller or epoch) never opens.
            var other = BlobIndex.Derive(parameters, mallory, bob, epoch, bobKey.PublicKey);
            Lap(sw);
            var relocated = BucketOpener.Open(other, [blob], bobKey).Count > 0;
            Step("relocated blob does not open", !relocated, "the full index is bound as HPKE info", Lap(sw));

            return output.Result(
                failed ? ExitCodes.Invalid : ExitCodes.Success,
                new JsonObject { ["ok"] = !failed, ["steps"] = steps },
                w =>
                {
                    w.WriteLine("Stir.Encrypted demo: one call through every piece, on this machine");
                    foreach (var line in lines)
                    {
                        w.WriteLine(line);
                    }

                    w.WriteLine(failed ? "demo FAILED" : "demo passed");
                });
        });
        return command;
    }

    private static double Lap(Stopwatch sw)
    {
        var ms = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        return ms;
    }
}
