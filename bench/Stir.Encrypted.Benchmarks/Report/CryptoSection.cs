using System.Text;

namespace Stir.Encrypted.Benchmarks.Report;

/// <summary>
/// The BenchmarkDotNet part of the report: each library operation beside its baseline from the same run, as the
/// ratio of their medians, with the targets of the issue; then the trial-opening scale table and every raw case.
/// </summary>
internal static class CryptoSection
{
    private const string HpkePrimitives = "ephemeral X25519 pair + X25519 + 3 HKDF-Extract + 3 HKDF-Expand + ChaCha20-Poly1305, libsodium called directly";
    private const string HpkeOpenPrimitives = "X25519 + 3 HKDF-Extract + 3 HKDF-Expand + ChaCha20-Poly1305 decryption, libsodium called directly";
    private const string HpkeDecoyPrimitives = "the same, the tag check failing";

    private static readonly Row[] Rows =
    [
        new("HPKE seal, 256-byte blob", "HpkeSealBenchmarks", "Seal", "BlobSize=256", "Primitives", HpkePrimitives, Target.Max(1.3)),
        new("HPKE seal, 4096-byte blob", "HpkeSealBenchmarks", "Seal", "BlobSize=4096", "Primitives", HpkePrimitives, Target.Max(1.3)),
        new("HPKE open, 256-byte blob", "HpkeOpenBenchmarks", "TryOpen", "BlobSize=256", "Primitives", HpkeOpenPrimitives, Target.Max(1.3)),
        new("HPKE open, 4096-byte blob", "HpkeOpenBenchmarks", "TryOpen", "BlobSize=4096", "Primitives", HpkeOpenPrimitives, Target.Max(1.3)),
        new("HPKE TryOpen of a decoy, 256 bytes", "HpkeDecoyBenchmarks", "TryOpen", "BlobSize=256", "Primitives", HpkeDecoyPrimitives, Target.Max(1.3)),
        new("HPKE TryOpen of a decoy, 4096 bytes", "HpkeDecoyBenchmarks", "TryOpen", "BlobSize=4096", "Primitives", HpkeDecoyPrimitives, Target.Max(1.3)),
        new("PASSporT sign (`PassportSigner.Sign`)", "PassportSignBenchmarks", "Sign", "", "EcdsaSignData", "`ECDsa.SignData` P-256/SHA-256/P1363, same signing input", Target.Max(1.15)),
        new("PASSporT build + sign (`PassportBuilder.Sign`)", "PassportSignBenchmarks", "BuildAndSign", "", "EcdsaSignData", "the same", null),
        new("PASSporT verify, token (`PassportVerifier`, static key)", "PassportVerifyBenchmarks", "Verify", "", "EcdsaVerifyData", "`ECDsa.VerifyData` P-256/SHA-256/P1363, same signing input", Target.Max(1.15)),
        new("PASSporT signature check (`Passport.VerifySignature`)", "PassportVerifyBenchmarks", "VerifySignature", "", "EcdsaVerifyData", "the same", Target.Max(1.15)),
        new("Index, cold (`BlobIndex.Derive`, Argon2id 19 MiB, t = 2)", "IndexDeriveBenchmarks", "Derive", "", "Sha256", "one SHA-256 of the same inputs", null),
        new("Index, warm cache (`DestinationKeyCache.Derive`)", "IndexCacheBenchmarks", "CachedDerive", "", "HmacSha256", "one HMAC-SHA256, same key and message", null),
    ];

    private static readonly int[] BucketSizes = [1, 10, 100, 1000];

    public static string Write(BdnResults bdn, List<TargetResult> summary)
    {
        var md = new StringBuilder();
        md.AppendLine("## Crypto hot paths against their primitives (BenchmarkDotNet)");
        md.AppendLine();
        md.AppendLine("Each operation of the library is measured beside its baseline in the same BenchmarkDotNet run (same process");
        md.AppendLine("type, same job, one after the other). **Ratio** = median time of the operation ÷ median time of its baseline;");
        md.AppendLine("medians rather than means because other work shares this machine. Allocation is managed memory per operation.");
        md.AppendLine("Job: 1 launch, 3 warm-up + 10 measured iterations of ~250 ms (`BenchmarkConfig.cs`), chosen to keep the whole");
        md.AppendLine("of `bench/run` under 15 minutes on 2 cores; BenchmarkDotNet's default job would take about an hour.");
        md.AppendLine();
        md.AppendLine("| Operation | Median | Alloc. | Baseline | Baseline median | Ratio | Target | Result |");
        md.AppendLine("|---|--:|--:|---|--:|--:|:-:|---|");
        foreach (var row in Rows)
        {
            var ours = bdn.Find(row.Type, row.Method, row.Parameters);
            var baseline = bdn.Find(row.Type, row.Baseline, row.Parameters);
            var ratio = ours is null || baseline is null ? double.NaN : ours.Median / baseline.Median;
            var verdict = row.Target is null ? "(no target)" : row.Target.Verdict(ratio);
            if (row.Target is not null)
            {
                summary.Add(new TargetResult("crypto", row.What, ratio, row.Target));
            }

            md.AppendLine($"| {row.What} | {Format.Time(ours?.Median ?? double.NaN)} | {(ours is null ? "—" : Format.Bytes(ours.AllocatedBytes))} | {row.BaselineText} | {Format.Time(baseline?.Median ?? double.NaN)} | {Format.Ratio(ratio)} | {row.Target?.ToString() ?? "—"} | {verdict} |");
        }

        md.AppendLine();
        WriteBuckets(bdn, md, summary);
        WriteAll(bdn, md);
        return md.ToString();
    }

    // Per-blob cost of BucketOpener.Open against the single opens it is made of: r real blobs and N − r decoys
    // cost r·open(real) + (N − r)·open(decoy) when opened one by one.
    private static void WriteBuckets(BdnResults bdn, StringBuilder md, List<TargetResult> summary)
    {
        const string type = "BucketOpenBenchmarks";
        var real = bdn.Find(type, "OpenReal")?.Median ?? double.NaN;
        var decoy = bdn.Find(type, "OpenDecoy")?.Median ?? double.NaN;
        md.AppendLine("### Trial-opening a bucket (`BucketOpener.Open`), per blob");
        md.AppendLine();
        md.AppendLine($"Blobs of the default class (4096 bytes), one real blob in every {Crypto.BucketOpenBenchmarks.RealEvery} (as in a retrieval), the rest decoys.");
        md.AppendLine($"Baselines from the same run: one `HpkeSuite.TryOpen` of a single-recipient HPKE message of the blob's size **{Format.Time(real)}**, of a decoy **{Format.Time(decoy)}**");
        md.AppendLine("(a blob adds its stanzas to that: up to four 48-byte AEAD opens, spec/protocol.md §4).");
        md.AppendLine("*Expected* is what the same blobs cost opened one by one: (r × real + (N − r) × decoy) ÷ N. The target (≤ 1.2) applies to");
        md.AppendLine("the ratio against *expected*; the ratio against one real open is shown too. *Growth* is the per-blob cost relative to N = 10:");
        md.AppendLine("linear cost keeps it near 1.");
        md.AppendLine();
        md.AppendLine("| N | real | Per blob | Alloc./blob | Expected | Ratio | vs. real open | Growth | Target | Result |");
        md.AppendLine("|--:|--:|--:|--:|--:|--:|--:|--:|:-:|---|");
        var reference = bdn.Find(type, "Bucket10")?.Median ?? double.NaN;
        var target = Target.Max(1.2);
        foreach (var n in BucketSizes)
        {
            var c = bdn.Find(type, $"Bucket{n}");
            var r = Crypto.BucketOpenBenchmarks.RealBlobs(n);
            var perBlob = c?.Median ?? double.NaN;
            var expected = ((r * real) + ((n - r) * decoy)) / n;
            var ratio = perBlob / expected;
            summary.Add(new TargetResult("crypto", $"Trial-opening, bucket of {n}, per blob vs. single opens", ratio, target));
            md.AppendLine($"| {n} | {r} | {Format.Time(perBlob)} | {(c is null ? "—" : Format.Bytes(c.AllocatedBytes))} | {Format.Time(expected)} | {Format.Ratio(ratio)} | {Format.Ratio(perBlob / real)} | {Format.Ratio(perBlob / reference)} | {target} | {target.Verdict(ratio)} |");
        }

        md.AppendLine();
    }

    private static void WriteAll(BdnResults bdn, StringBuilder md)
    {
        md.AppendLine("<details><summary>Every BenchmarkDotNet case (median, mean ± standard error, iterations, allocation)</summary>");
        md.AppendLine();
        md.AppendLine("| Class | Method | Parameters | Median | Mean ± s.e. | n | Allocated |");
        md.AppendLine("|---|---|---|--:|--:|--:|--:|");
        foreach (var c in bdn.All)
        {
            md.AppendLine($"| {c.Type} | {c.Method} | {c.Parameters} | {Format.Time(c.Median)} | {Format.Time(c.Mean)} ± {Format.Time(c.StandardError)} | {c.Iterations} | {Format.Bytes(c.AllocatedBytes)} |");
        }

        md.AppendLine();
        md.AppendLine("</details>");
        md.AppendLine();
    }

    private sealed record Row(string What, string Type, string Method, string Parameters, string Baseline, string BaselineText, Target? Target);
}
