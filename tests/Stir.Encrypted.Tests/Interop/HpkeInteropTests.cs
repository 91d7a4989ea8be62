using Stir.Encrypted.Hpke;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Interop;

/// <summary>
/// Interoperability with an independent RFC 9180 implementation, @hpke/core 1.9.0 (+ @hpke/chacha20poly1305
/// 1.8.0) on Node, driven through tests/interop/hpke-peer.mjs: messages each side seals open on the other,
/// keys each side serialises import on the other, and contexts agree on every message and on exports.
/// </summary>
public sealed class HpkeInteropTests
{
    private static readonly byte[] Info = "stir-encrypted interop info: +12025550123"u8.ToArray();
    private static readonly byte[] Aad = "cps bucket 0x2a"u8.ToArray();

    public static TheoryData<string> Suites() => new()
    {
        "x25519-sha256-chacha20poly1305",
        "x25519-sha256-aes128gcm",
        "p256-sha256-aes128gcm",
        "p256-sha256-chacha20poly1305",
        "p256-sha512-aes256gcm",
        "p521-sha512-aes256gcm",
        "x25519-sha384-aes256gcm",
    };

    [Theory]
    [MemberData(nameof(Suites))]
    public async Task PeerSeals_WeOpen(string name)
    {
        var suite = HpkeSuite.Parse(name);
        using var skR = HpkePrivateKey.Generate(suite.Kem);
        var plaintexts = Plaintexts(name);
        var lines = plaintexts.Select((pt, i) => $"{Hex(i % 2 == 0 ? Info : [])} {Hex(i % 3 == 0 ? Aad : [])} {Hex(pt)}");

        var blobs = await RunPeerAsync(name, ["seal", Hex(skR.PublicKey.Export())], lines);

        Assert.Equal(plaintexts.Count, blobs.Count);
        for (var i = 0; i < blobs.Count; i++)
        {
            var blob = FromHex(blobs[i]);
            Assert.Equal(suite.CiphertextSize(plaintexts[i].Length), blob.Length);
            Assert.True(suite.TryOpen(skR, i % 2 == 0 ? Info : [], i % 3 == 0 ? Aad : [], blob, out var pt), $"peer message {i} does not open");
            Assert.Equal(plaintexts[i], pt);

            // And the peer's message is bound to its info and aad here too.
            Assert.False(suite.TryOpen(skR, [.. Info, 1], i % 3 == 0 ? Aad : [], blob, out _));
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public async Task WeSeal_PeerOpens(string name)
    {
        var suite = HpkeSuite.Parse(name);
        var pair = (await RunPeerAsync(name, ["keygen"], [])).Single().Split(' ');
        var pkR = HpkePublicKey.Import(suite.Kem, FromHex(pair[1]));
        var plaintexts = Plaintexts(name);

        var blobs = plaintexts.Select((pt, i) => suite.Seal(pkR, i % 2 == 0 ? Info : [], i % 3 == 0 ? Aad : [], pt)).ToList();
        var tampered = (byte[])blobs[0].Clone();
        tampered[^1] ^= 0x01;
        var lines = blobs.Select((blob, i) => $"{Hex(i % 2 == 0 ? Info : [])} {Hex(i % 3 == 0 ? Aad : [])} {Hex(blob)}")
            .Append($"{Hex(Info)} {Hex(Aad)} {Hex(tampered)}");

        var opened = await RunPeerAsync(name, ["open", pair[0]], lines);

        Assert.Equal(plaintexts.Count + 1, opened.Count);
        for (var i = 0; i < plaintexts.Count; i++)
        {
            Assert.Equal(Hex(plaintexts[i]), opened[i]);
        }

        Assert.Equal("!", opened[^1]);
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public async Task PeerKeyPair_ImportsHere_WithTheSamePublicKey(string name)
    {
        var suite = HpkeSuite.Parse(name);
        var pair = (await RunPeerAsync(name, ["keygen"], [])).Single().Split(' ');

        using var imported = HpkePrivateKey.Import(suite.Kem, FromHex(pair[0]));

        Assert.Equal(pair[1], Hex(imported.PublicKey.Export()));
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public async Task PeerSenderContext_WeOpenEveryMessageInOrder_AndExportsAgree(string name)
    {
        var suite = HpkeSuite.Parse(name);
        using var skR = HpkePrivateKey.Generate(suite.Kem);
        var plaintexts = Plaintexts(name);

        var output = await RunPeerAsync(
            name,
            ["context-seal", Hex(skR.PublicKey.Export()), Hex(Info), Hex("exporter"u8), "42"],
            plaintexts.Select((pt, i) => $"{Hex(BitConverter.GetBytes(i))} {Hex(pt)}"));

        Assert.True(suite.TrySetupRecipient(skR, FromHex(output[0]), Info, out var recipient));
        using (recipient)
        {
            Assert.Equal(output[1], Hex(recipient.Export("exporter"u8, 42)));
            for (var i = 0; i < plaintexts.Count; i++)
            {
                Assert.True(recipient.TryOpen(BitConverter.GetBytes(i), FromHex(output[2 + i]), out var pt), $"message {i}");
                Assert.Equal(plaintexts[i], pt);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public async Task OurSenderContext_PeerOpensEveryMessageInOrder_AndExportsAgree(string name)
    {
        var suite = HpkeSuite.Parse(name);
        var pair = (await RunPeerAsync(name, ["keygen"], [])).Single().Split(' ');
        var plaintexts = Plaintexts(name);
        using var sender = suite.SetupSender(HpkePublicKey.Import(suite.Kem, FromHex(pair[1])), Info);
        var lines = plaintexts.Select((pt, i) => $"{Hex(BitConverter.GetBytes(i))} {Hex(sender.Seal(BitConverter.GetBytes(i), pt))}").ToList();

        var output = await RunPeerAsync(
            name,
            ["context-open", pair[0], Hex(sender.EncapsulatedKey), Hex(Info), Hex("exporter"u8), "42"],
            lines);

        Assert.Equal(Hex(sender.Export("exporter"u8, 42)), output[0]);
        Assert.Equal(plaintexts.Select(pt => Hex(pt)), output.Skip(1));
    }

    [Fact]
    public async Task ExportOnlySuite_ExportsAgreeBothWays()
    {
        const string name = "x25519-sha256-exportonly";
        var suite = HpkeSuite.Parse(name);
        using var skR = HpkePrivateKey.Generate(suite.Kem);

        var output = await RunPeerAsync(name, ["context-seal", Hex(skR.PublicKey.Export()), Hex(Info), "-", "64"], []);

        Assert.True(suite.TrySetupRecipient(skR, FromHex(output[0]), Info, out var recipient));
        using (recipient)
        {
            Assert.Equal(output[1], Hex(recipient.Export([], 64)));
        }
    }

    private static List<byte[]> Plaintexts(string seed)
    {
        var random = new Random(seed.Length * 31);
        var list = new List<byte[]> { Array.Empty<byte>(), "Beauty is truth, truth beauty"u8.ToArray() };
        foreach (var size in new[] { 1, 16, 255, 1024 })
        {
            var pt = new byte[size];
            random.NextBytes(pt);
            list.Add(pt);
        }

        return list;
    }

    private static async Task<List<string>> RunPeerAsync(string suite, IEnumerable<string> args, IEnumerable<string> stdinLines)
    {
        var node = Peers.RequireNode();
        if (!Directory.Exists(Path.Combine(Peers.InteropDirectory, "node_modules", "@hpke", "chacha20poly1305")))
        {
            throw new InvalidOperationException("npm peer @hpke/chacha20poly1305 is not installed: run ./eng/test, or: (cd tests/interop && npm ci)");
        }

        var script = Path.Combine(Peers.InteropDirectory, "hpke-peer.mjs");
        var result = await Peers.RunAsync(node, [script, suite, .. args], string.Join('\n', stdinLines) + "\n", Peers.InteropDirectory);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? "-" : Convert.ToHexString(bytes).ToLowerInvariant();

    private static byte[] FromHex(string hex) => hex == "-" ? [] : Convert.FromHexString(hex);
}
