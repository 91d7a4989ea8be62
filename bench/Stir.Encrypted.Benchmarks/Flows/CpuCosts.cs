using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Stir.Encrypted.Benchmarks.Primitives;
using Stir.Encrypted.Cps;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Jose;
using Stir.Encrypted.Passports;

namespace Stir.Encrypted.Benchmarks.Flows;

/// <summary>
/// <c>costs [--seconds 0.25] [--rounds 5] [--out file.json] [--only name-part]</c>: the thread-CPU time of one operation, for each
/// piece of the two flows and for the primitives `openssl speed` counts, measured in interleaved rounds (every
/// operation once per round) so that all see the same machine. CPU time does not grow while other processes hold
/// the core, so on a shared machine these figures explain the flow ratios where wall-clock times cannot.
/// </summary>
internal static unsafe class CpuCosts
{
    public static int Run(string[] args)
    {
        var seconds = double.Parse(Option(args, "--seconds", "0.25"), CultureInfo.InvariantCulture);
        var rounds = int.Parse(Option(args, "--rounds", "5"), CultureInfo.InvariantCulture);
        var output = Option(args, "--out", "");
        var only = Option(args, "--only", "");
        var operations = Operations().Where(o => o.Name.Contains(only, StringComparison.OrdinalIgnoreCase)).ToList();
        var samples = operations.ToDictionary(o => o.Name, _ => new List<double>());
        for (var r = 0; r < rounds; r++)
        {
            foreach (var (name, action) in operations)
            {
                samples[name].Add(Measure(action, seconds));
            }
        }

        var result = new JsonArray();
        foreach (var (name, _) in operations)
        {
            var median = Report.Format.Median(samples[name]);
            result.Add(new JsonObject { ["operation"] = name, ["cpuNanoseconds"] = Math.Round(median, 1) });
            Console.Error.WriteLine($"costs: {name,-34} {median / 1000,10:F2} µs CPU");
        }

        var json = result.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        if (output.Length > 0)
        {
            File.WriteAllText(output, json + "\n");
        }
        else
        {
            Console.WriteLine(json);
        }

        return 0;
    }

    // Nanoseconds of thread CPU per call: run batches until the budget is spent (after one warm-up batch).
    private static double Measure(Action action, double seconds)
    {
        for (var i = 0; i < 20; i++)
        {
            action();
        }

        var budget = (long)(seconds * 1e9);
        long calls = 0;
        var start = ThreadCpuClock.Nanoseconds();
        long used;
        do
        {
            for (var i = 0; i < 10; i++)
            {
                action();
            }

            calls += 10;
            used = ThreadCpuClock.Nanoseconds() - start;
        }
        while (used < budget);
        return (double)used / calls;
    }

    private static List<(string Name, Action Action)> Operations()
    {
        LibSodium.EnsureInitialized();
        var suite = Samples.Suite;
        var key = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        var index = Samples.Index();
        var info = index.HpkeInfo();
        var other = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        var configuration = Samples.Configuration(Samples.DefaultBlobSize);
        var signingKey = PassportSigningKey.Generate();
        var signer = new PassportSigner(signingKey, Samples.Clock);
        var builder = Samples.Passport();
        var header = builder.BuildHeader();
        var claims = builder.BuildClaims(Samples.Clock);
        var passport = signer.Sign(header, claims);
        var signingInput = Encoding.ASCII.GetBytes(passport.Token[..passport.Token.LastIndexOf('.')]);
        var signature = passport.Signature.ToArray();
        var ecdsa = signingKey.ExportPublicKey();
        var privateEcdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var verifier = new PassportVerifier(new StaticKeyCredentialResolver(ecdsa), timeProvider: Samples.Clock);
        var plaintext = BlobPlaintext.Encode([passport.Token], Samples.DefaultBlobSize - Samples.HpkeOverhead);
        var blob = suite.Seal(key.PublicKey, info, [], plaintext);
        var decoy = Samples.Decoy(Samples.DefaultBlobSize);
        var buffer = new byte[plaintext.Length];
        var ciphertext = new byte[Samples.DefaultBlobSize];
        var sender = RawHpke.ForSender(key.PublicKey.Bytes, info);
        var recipient = RawHpke.ForRecipient(key.Export(), key.PublicKey.Bytes, info);
        var sealedBlob = BlobSealer.Seal(configuration, index, [passport.Token], [key.PublicKey])[0];
        var bucket = Enumerable.Range(0, Samples.DefaultSlots).Select(i => (ReadOnlyMemory<byte>)(i == 5 ? sealedBlob : Samples.Decoy(Samples.DefaultBlobSize))).ToList();
        HpkePublicKey[] holders = [key.PublicKey, other.PublicKey];
        var scalar = RandomNumberGenerator.GetBytes(32);
        var point = other.PublicKey.Bytes.ToArray();
        var dh = new byte[32];
        var nonce = new byte[12];
        var prk = new byte[32];
        var ikm = RandomNumberGenerator.GetBytes(7 + 10 + 9 + 49);
        var labelled = RandomNumberGenerator.GetBytes(2 + 7 + 10 + 10 + 65);
        var store = new StoreFlow(Samples.Cache, holders);
        var retrieve = new RetrieveFlow(index, key, 5);
        var cover = CoverCosts.Create();

        return
        [
            ("X25519 agreement (libsodium)", () =>
            {
                fixed (byte* q = dh)
                fixed (byte* n = scalar)
                fixed (byte* p = point)
                {
                    _ = LibSodium.crypto_scalarmult_curve25519(q, n, p);
                }
            }),
            ("X25519 key pair (libsodium)", () =>
            {
                fixed (byte* q = dh)
                fixed (byte* n = scalar)
                {
                    _ = LibSodium.crypto_scalarmult_curve25519_base(q, n);
                }
            }),
            ("HKDF-Extract (BCL)", () => HKDF.Extract(HashAlgorithmName.SHA256, ikm, default, prk)),
            ("HKDF-Expand 32 (BCL)", () => HKDF.Expand(HashAlgorithmName.SHA256, prk, dh, labelled)),
            ("HMAC-SHA256 (BCL)", () => HMACSHA256.HashData(prk, ikm, dh)),
            ("HKDF-Extract (libsodium)", () =>
            {
                fixed (byte* o = prk)
                fixed (byte* i = ikm)
                {
                    _ = LibSodium.crypto_kdf_hkdf_sha256_extract(o, null, 0, i, (nuint)ikm.Length);
                }
            }),
            ("HKDF-Expand 32 (libsodium)", () =>
            {
                fixed (byte* o = dh)
                fixed (byte* l = labelled)
                fixed (byte* k = prk)
                {
                    _ = LibSodium.crypto_kdf_hkdf_sha256_expand(o, 32, l, (nuint)labelled.Length, k);
                }
            }),
            ("ChaCha20-Poly1305 seal 4048 B", () =>
            {
                fixed (byte* c = ciphertext)
                fixed (byte* m = plaintext)
                fixed (byte* k = prk)
                fixed (byte* n = nonce)
                {
                    _ = LibSodium.crypto_aead_chacha20poly1305_ietf_encrypt_detached(c, c + plaintext.Length, null, m, (ulong)plaintext.Length, null, 0, null, n, k);
                }
            }),
            ("ChaCha20-Poly1305 tag fails 4048 B", () =>
            {
                fixed (byte* c = decoy)
                fixed (byte* m = buffer)
                fixed (byte* k = prk)
                fixed (byte* n = nonce)
                {
                    _ = LibSodium.crypto_aead_chacha20poly1305_ietf_decrypt_detached(m, null, c + 32, (ulong)buffer.Length, c + 32 + buffer.Length, null, 0, n, k);
                }
            }),
            ("ECDSA P-256 sign (BCL)", () => privateEcdsa.SignData(signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)),
            ("ECDSA P-256 verify (BCL)", () => ecdsa.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)),
            ("RawHpke seal 4096", () => sender.Seal(plaintext, ciphertext)),
            ("HpkeSuite.Seal 4096", () => suite.Seal(key.PublicKey, info, [], plaintext, ciphertext)),
            ("RawHpke open 4096", () => recipient.TryOpen(blob, buffer)),
            ("HpkeSuite.TryOpen 4096", () => suite.TryOpen(key, info, [], blob, buffer)),
            ("RawHpke open decoy", () => recipient.TryOpen(decoy, buffer)),
            ("HpkeSuite.TryOpen decoy", () => suite.TryOpen(key, info, [], decoy, buffer)),
            ("Passport.Parse", () => Passport.Parse(passport.Token)),
            ("PassportSigner.Sign", () => signer.Sign(header, claims)),
            ("PassportBuilder.Sign", () => builder.Sign(signer)),
            ("Es256.IsP256 (curve check)", () => Es256.IsP256(ecdsa)),
            ("Passport.VerifySignature", () => passport.VerifySignature(ecdsa)),
            ("PassportVerifier token", () => Samples.Completed(verifier.VerifyAsync(passport.Token, Samples.Dest, CancellationToken.None))),
            ("DestinationKeyCache.Derive, warm", () => Samples.Cache.Derive(Samples.Orig, Samples.Dest, Samples.Epoch)),
            ("BlobSealer.Seal, 1 holder", () => BlobSealer.Seal(configuration, index, [passport.Token], [key.PublicKey])),
            ("BlobSealer.Seal, 2 holders", () => BlobSealer.Seal(configuration, index, [passport.Token], holders)),
            ("BucketOpener.Open, 12 blobs", () => BucketOpener.Open(index, bucket, key)),
            ("store flow operation", store.RunOnce),
            ("retrieve flow operation", retrieve.RunOnce),
            ("Cover timeline, cold slot, 30 min in", cover.ColdTimeline),
            ("Cover blob bytes, 2048 B", cover.CoverBlob),
            ("CPS retrieval slots, cold bucket", cover.ColdRetrieval),
            ("CPS store slot plan, cold bucket", cover.ColdStorePlan),
            ("Cover lifetime draw", cover.Draw),
            ("Cover lifetime draws, 4 at once", cover.Draw4),
            ("Ed25519 base-point mult. (libsodium)", () =>
            {
                fixed (byte* q = dh)
                fixed (byte* n = scalar)
                {
                    _ = LibSodium.crypto_scalarmult_ed25519_base_noclamp(q, n);
                }
            }),
        ];
    }

    private static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
