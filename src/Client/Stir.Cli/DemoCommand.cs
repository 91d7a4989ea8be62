using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Stir.Encrypted.Calls;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Sip;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cli;

/// <summary>
/// `stir demo`: the main job in one command, on a fresh machine, nothing to configure. It starts the CPS, the
/// credential directory and an x5u repository on loopback over the embedded store in a temporary directory,
/// provisions a development PKI (STI-CA, carrier and endpoint certificates with TNAuthLists) and HPKE keys for
/// several holders per number, publishes their key records, and runs the seed's use cases through the real
/// services, each on a call (caller, callee) of its own: VoIP→PSTN, two smart PSTN endpoints, PSTN→VoIP through a gateway that re-inserts the Identity header,
/// a gateway storing out of band what it lifts from an INVITE, a spoofed call that must fail, a replay that must be
/// flagged, and a diverted call. Each prints its verdict and the time of each step.
/// </summary>
internal static class DemoCommand
{
    private static readonly TelephoneNumber Alice = TelephoneNumber.ParseE164("+12025550123");
    private static readonly TelephoneNumber Bob = TelephoneNumber.ParseE164("+13035550100");
    private static readonly TelephoneNumber Carol = TelephoneNumber.ParseE164("+14155550111");
    private static readonly TelephoneNumber Dave = TelephoneNumber.ParseE164("+16175550142");
    private static readonly TelephoneNumber Erin = TelephoneNumber.ParseE164("+17185550177");

    public static Command Create()
    {
        var keep = new Option<bool>("--keep") { Description = "Keep the temporary data directory (stores, PKI, keys) and print where it is" };
        var command = new Command("demo", "Run the seed's use cases end to end on this machine (CPS, directory, PKI, keys) and print each verdict with its timings") { keep };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = CommandOutput.For(parse);
            var progress = new DemoProgress(output);
            var data = Directory.CreateTempSubdirectory("stir-demo-").FullName;
            var results = new JsonArray();
            var failed = false;
            var total = Stopwatch.StartNew();
            try
            {
                progress.Line("Stir.Encrypted demo: the seed's use cases through a real CPS and directory on loopback");
                progress.Working("starting the CPS, the directory and the x5u repository");
                var setup = Stopwatch.StartNew();
                await using var services = await LocalServices.StartDevelopmentAsync(data, 0, 0, 0, 0, cancellationToken);
                progress.Line($"services  cps {services.Cps}  directory {services.Directory}  x5u {services.Certificates}  ({setup.Elapsed.TotalMilliseconds:F0} ms)");

                progress.Working("provisioning the PKI, HPKE keys and key records");
                setup.Restart();
                await using var world = await DemoWorld.CreateAsync(services, cancellationToken);
                progress.Line($"provision {world.Summary}  ({setup.Elapsed.TotalMilliseconds:F0} ms)");

                async Task Run(string name, Verstat expected, Func<Task<(CallVerdict Verdict, IReadOnlyList<CallStep> StoreSteps, string? Header)>> useCase)
                {
                    progress.Working(name);
                    var (verdict, storeSteps, header) = await useCase();
                    var ok = verdict.Verstat == expected;
                    failed |= !ok;
                    progress.Line($"{(ok ? "ok  " : "FAIL")} {name}");
                    progress.Line($"     verdict: {verdict}");
                    if (storeSteps.Count > 0)
                    {
                        progress.Line($"     store:   {string.Join("  ", storeSteps.Select(s => $"{s.Name} {s.Duration.TotalMilliseconds:F1}"))} ms");
                    }

                    progress.Line($"     verify:  {string.Join("  ", verdict.Steps.Select(s => $"{s.Name} {s.Duration.TotalMilliseconds:F1}"))} ms");
                    if (header is not null)
                    {
                        progress.Line($"     Identity: {header}");
                    }

                    results.Add(new JsonObject
                    {
                        ["useCase"] = name,
                        ["ok"] = ok,
                        ["expected"] = expected.ToToken(),
                        ["verstat"] = verdict.Verstat.ToToken(),
                        ["suspicious"] = verdict.Suspicious,
                        ["reason"] = verdict.Reason,
                        ["storeSteps"] = Steps.ToJson(storeSteps),
                        ["verifySteps"] = Steps.ToJson(verdict.Steps),
                        ["identityHeader"] = header,
                    });
                }

                await Run("1. VoIP→PSTN: Alice's carrier signs and stores, Bob's carrier verifies", Verstat.TnValidationPassed, async () =>
                {
                    var stored = await world.Placer(world.AliceCarrier).StoreAsync(Alice, Bob, null, cancellationToken);
                    return (await world.Verifier(world.BobCarrierKey, Bob).VerifyAsync(Alice, Bob, cancellationToken), stored.Steps, null);
                });

                await Run("2. Two smart PSTN endpoints: Dave's phone signs and stores, Bob's PBX key verifies", Verstat.TnValidationPassed, async () =>
                {
                    var stored = await world.Placer(world.DavePhone).StoreAsync(Dave, Bob, null, cancellationToken);
                    return (await world.Verifier(world.BobPbxKey, Bob).VerifyAsync(Dave, Bob, cancellationToken), stored.Steps, null);
                });

                await Run("3. PSTN→VoIP: Erin's carrier stores, Carol's gateway verifies and re-inserts Identity", Verstat.TnValidationPassed, async () =>
                {
                    var stored = await world.Placer(world.ErinCarrier).StoreAsync(Erin, Carol, null, cancellationToken);
                    var delivery = await new GatewayDeliver(world.Verifier(world.CarolKey, Carol), DemoWorld.LoopbackParse).DeliverAsync(DemoWorld.Invite(Erin, Carol, Carol), cancellationToken);
                    return (delivery.Verdict!, stored.Steps, delivery.IdentityValues.FirstOrDefault());
                });

                await Run("4. Gateway out of band: the Identity of Dave's INVITE is lifted and stored, Carol verifies", Verstat.TnValidationPassed, async () =>
                {
                    var signed = world.Sign(world.DavePhone, b => b.WithOrig(Dave).AddDest(Carol).WithShaken("B", Guid.NewGuid()));
                    var invite = DemoWorld.Invite(Dave, Carol, Carol, signed.ToIdentityHeader());
                    var stored = await new GatewayStore(world.Placer(null), new GatewayStoreOptions { ParseOptions = DemoWorld.LoopbackParse }).StoreAsync(invite, cancellationToken);
                    return (await world.Verifier(world.CarolKey, Carol).VerifyAsync(Dave, Carol, cancellationToken), stored.Placement?.Steps ?? [], null);
                });

                await Run("5. Spoofed caller: Mallory's certificate claims Bob's number calling Carol, must FAIL", Verstat.TnValidationFailed, async () =>
                {
                    var stored = await world.Placer(world.Mallory).StoreAsync(Bob, Carol, null, cancellationToken);
                    return (await world.Verifier(world.CarolKey, Carol).VerifyAsync(Bob, Carol, cancellationToken), stored.Steps, null);
                });

                await Run("6. Replay: a second call presenting the PASSporT Bob's PBX already accepted is flagged, must FAIL", Verstat.TnValidationFailed, async () =>
                {
                    var verifier = world.Verifier(world.BobPbxKey, Bob);
                    var stored = await world.Placer(world.ErinCarrier).StoreAsync(Erin, Bob, null, cancellationToken);
                    _ = await verifier.VerifyAsync(Erin, Bob, cancellationToken);
                    return (await verifier.VerifyAsync(Erin, Bob, cancellationToken), stored.Steps, null);
                });

                await Run("7. Diverted call: Bob's carrier retargets Alice's call to Carol with a div-o PASSporT", Verstat.TnValidationPassed, async () =>
                {
                    var original = world.Sign(world.AliceCarrier, b => b.WithOrig(Alice).AddDest(Bob));
                    var divO = world.Divert(original, world.BobCarrier, Bob, Carol);
                    var stored = await world.Placer(null).StoreAsync(Alice, Carol, [divO.Token], cancellationToken);
                    return (await world.Verifier(world.CarolKey, Carol).VerifyAsync(Alice, Carol, cancellationToken), stored.Steps, null);
                });
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or DirectoryUnavailableException or DirectoryDocumentFormatException or Microsoft.Extensions.Options.OptionsValidationException)
            {
                return output.Fail(ExitCodes.Failure, $"the demo could not run: {e.Message}", "it needs loopback ports and a writable temporary directory");
            }
            finally
            {
                if (!parse.GetValue(keep))
                {
                    TryDelete(data);
                }
            }

            return output.Result(
                failed ? ExitCodes.Invalid : ExitCodes.Success,
                new JsonObject { ["ok"] = !failed, ["useCases"] = results, ["totalMs"] = Math.Round(total.Elapsed.TotalMilliseconds), ["data"] = parse.GetValue(keep) ? data : null },
                w =>
                {
                    w.WriteLine($"demo {(failed ? "FAILED" : "passed")} in {total.Elapsed.TotalSeconds:F1} s{(parse.GetValue(keep) ? $"; data kept in {data}" : string.Empty)}");
                });
        });
        return command;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A temporary directory left behind is not worth failing the demo.
        }
    }

    /// <summary>The demo's parties: certificates, HPKE keys, published key records, and clients of the services.</summary>
    private sealed class DemoWorld : IAsyncDisposable
    {
        private readonly LocalServices _services;
        private readonly HttpClient _http = new();
        private readonly List<IDisposable> _owned = [];
        private readonly Dictionary<DevelopmentCredential, string> _names = [];
        private DirectoryClient _directory = null!;
        private PassportVerifier _passports = null!;

        private DemoWorld(LocalServices services) => _services = services;

        public static PassportParseOptions LoopbackParse { get; } = new() { AllowLoopbackHttpX5u = true };

        public DevelopmentCredential AliceCarrier { get; private set; } = null!;

        public DevelopmentCredential BobCarrier { get; private set; } = null!;

        public DevelopmentCredential DavePhone { get; private set; } = null!;

        public DevelopmentCredential ErinCarrier { get; private set; } = null!;

        public DevelopmentCredential Mallory { get; private set; } = null!;

        public HpkePrivateKey BobCarrierKey { get; } = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);

        public HpkePrivateKey BobPbxKey { get; } = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);

        public HpkePrivateKey CarolKey { get; } = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);

        public string Summary { get; private set; } = string.Empty;

        public static async Task<DemoWorld> CreateAsync(LocalServices services, CancellationToken cancellationToken)
        {
            var world = new DemoWorld(services);
            await world.ProvisionAsync(cancellationToken);
            return world;
        }

        public CallPlacer Placer(DevelopmentCredential? signer)
        {
            PassportSigner? passportSigner = null;
            if (signer is not null)
            {
                var key = PassportSigningKey.FromECDsa(signer.PrivateKey);
                _owned.Add(key);
                passportSigner = new PassportSigner(key);
            }

            // From the synced copy: the directory is asked nothing at call time.
            return new CallPlacer(_http, new StaticCallRouter(_services.Cps), new DirectoryKeyHolderSource(_directory, DirectoryLookupMode.Cached), new CallPlacerOptions
            {
                Signer = passportSigner,
                SignerX5u = signer is null ? null : _services.X5uOf(NameOf(signer)),
            });
        }

        public CallVerifier Verifier(HpkePrivateKey key, TelephoneNumber number)
        {
            var ring = new CalleeKeyRing();
            _owned.Add(ring);
            ring.Add(number, HpkePrivateKey.Import(key.Kem, key.Export()));
            return new CallVerifier(_http, new StaticCallRouter(_services.Cps), ring, _passports);
        }

        public Passport Sign(DevelopmentCredential signer, Func<PassportBuilder, PassportBuilder> shape)
        {
            using var key = PassportSigningKey.FromECDsa(signer.PrivateKey);
            return shape(new PassportBuilder().WithX5u(_services.X5uOf(NameOf(signer)))).Sign(new PassportSigner(key));
        }

        // RFC 8946, RFC 8816 §6.2: the retargeting carrier signs a div-o nesting the original, under the new destination.
        public Passport Divert(Passport original, DevelopmentCredential retargeter, TelephoneNumber from, TelephoneNumber to)
        {
            using var key = PassportSigningKey.FromECDsa(retargeter.PrivateKey);
            return PassportBuilder.ForDiversion(original, PassportIdentity.FromTn(from), nestOriginal: true)
                .WithX5u(_services.X5uOf(NameOf(retargeter))).AddDest(to).Sign(new PassportSigner(key));
        }

        public static SipInvite Invite(TelephoneNumber from, TelephoneNumber to, TelephoneNumber target, params string[] identities)
        {
            var text = new StringBuilder()
                .Append($"INVITE sip:{target.ToE164()}@gw.example.net;user=phone SIP/2.0\r\n")
                .Append("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n")
                .Append("Max-Forwards: 70\r\n")
                .Append($"From: <sip:{from.ToE164()}@example.com;user=phone>;tag=1928301774\r\n")
                .Append($"To: <sip:{to.ToE164()}@example.net;user=phone>\r\n")
                .Append("Call-ID: a84b4c76e66710\r\n")
                .Append("CSeq: 314159 INVITE\r\n")
                .Append("Contact: <sip:192.0.2.1:5060>\r\n");
            foreach (var identity in identities)
            {
                text.Append($"Identity: {identity}\r\n");
            }

            return SipInvite.Parse(text.Append("Content-Length: 0\r\n\r\n").ToString());
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var owned in _owned.AsEnumerable().Reverse())
            {
                owned.Dispose();
            }

            _directory?.Dispose();
            _http.Dispose();
            BobCarrierKey.Dispose();
            BobPbxKey.Dispose();
            CarolKey.Dispose();
            await Task.CompletedTask;
        }

        private string NameOf(DevelopmentCredential credential) => _names[credential];

        private async Task ProvisionAsync(CancellationToken cancellationToken)
        {
            // The STI-CA (root and intermediate) `stir serve` keeps in DATA/pki, and end entities saved beside it so
            // that the x5u repository serves their chains.
            var pki = DevelopmentPki.Load(Path.GetDirectoryName(_services.TrustAnchorsFile)!);
            _owned.Add(pki);
            DevelopmentCredential Issue(string name, TelephoneNumber number)
            {
                var credential = pki.IssueEndEntity(name, new TNAuthList([new TNEntry.Range(new TelephoneNumberRange(TelephoneNumber.ParseCanonical(number.Value[..^4] + "0000"), 10000))]), TimeSpan.FromDays(30));
                credential.Save(_services.CertificateDirectory, name);
                _owned.Add(credential);
                _names[credential] = name;
                return credential;
            }

            AliceCarrier = Issue("alice-carrier", Alice);
            BobCarrier = Issue("bob-carrier", Bob);
            var carolCarrier = Issue("carol-carrier", Carol);
            DavePhone = pki.IssueEndEntity("dave-phone", new TNAuthList([new TNEntry.One(Dave)]), TimeSpan.FromDays(30));
            DavePhone.Save(_services.CertificateDirectory, "dave-phone");
            _owned.Add(DavePhone);
            _names[DavePhone] = "dave-phone";
            var bobPbx = pki.IssueEndEntity("bob-pbx", new TNAuthList([new TNEntry.One(Bob)]), TimeSpan.FromDays(30));
            _owned.Add(bobPbx);
            ErinCarrier = Issue("erin-carrier", Erin);
            Mallory = Issue("mallory", TelephoneNumber.ParseE164("+16665550100"));

            var validator = new StirChainValidator([pki.Root.Certificate]);
            _directory = new DirectoryClient(_http, _services.Directory, new KeyRecordVerifier(validator));
            // The x5u repository is http on loopback: development only, accepted explicitly.
            _passports = new PassportVerifier(
                new StirCredentialResolver(validator, new X5uResolver(_http, validator, new X5uResolverOptions { AllowHttp = true })),
                new PassportVerifierOptions { ParseOptions = LoopbackParse });

            // Several key holders per number (RFC 8816 §6.1): Bob's carrier and Bob's PBX both publish a key for Bob.
            var records = new (DevelopmentCredential Holder, string Rid, HpkePublicKey Key, TelephoneNumber Number)[]
            {
                (BobCarrier, "bob-carrier", BobCarrierKey.PublicKey, Bob),
                (bobPbx, "bob-pbx", BobPbxKey.PublicKey, Bob),
                (carolCarrier, "carol-carrier", CarolKey.PublicKey, Carol),
            };
            foreach (var (holder, rid, publicKey, number) in records)
            {
                using var key = PassportSigningKey.FromECDsa(holder.PrivateKey);
                var record = new KeyRecordSigner(key, holder.Chain).Sign(new KeyRecordContent
                {
                    Rid = rid,
                    Seq = 1,
                    PublicKey = publicKey,
                    Numbers = [number],
                    Expires = TimeProvider.System.GetUtcNow().AddDays(7),
                });
                var published = await _directory.PublishAsync(record, cancellationToken);
                if (!published.Accepted)
                {
                    throw new InvalidOperationException($"the directory refused the key record {rid}: {published.Detail}");
                }
            }

            // Callers take keys from a local copy of the directory (snapshot and changes name no number), so that at
            // call time the directory learns nothing about whom they call (spec/protocol.md §10 "Call time").
            var synced = await _directory.SyncAsync(cancellationToken);
            Summary = $"STI-CA + 7 certificates, {records.Length} key records published (Bob: 2 holders), callers' copy of the directory synced to version {synced.Version}";
        }
    }
}
