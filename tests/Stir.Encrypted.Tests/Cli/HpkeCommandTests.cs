using Stir.Encrypted.Hpke;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Cli;

/// <summary>`stir hpke keygen|seal|open`: round trips through files, exit codes, messages, JSON.</summary>
public sealed class HpkeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("stir-hpke-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("x25519-sha256-chacha20poly1305", "sk.bin", "pk.bin")]
    [InlineData("p256-sha256-aes128gcm", "sk.hex", "pk.hex")]
    [InlineData("p521-sha512-aes256gcm", "sk.bin", "pk.hex")]
    public async Task KeygenSealOpen_ThroughFiles_RoundTrips(string suite, string skName, string pkName)
    {
        var sk = Path.Combine(_dir, skName);
        var pk = Path.Combine(_dir, pkName);
        var plaintext = Path.Combine(_dir, "passport.txt");
        var sealedPath = Path.Combine(_dir, "blob.bin");
        var opened = Path.Combine(_dir, "opened.txt");
        var info = Path.Combine(_dir, "info.hex");
        await File.WriteAllTextAsync(plaintext, "eyJhbGciOiJFUzI1NiJ9.padded");
        await File.WriteAllTextAsync(info, "01 02 03\n0a0b");

        var keygen = await CliRunner.RunAsync("hpke", "keygen", "--suite", suite, "--private-key", sk, "--public-key", pk);
        Assert.Equal(0, keygen.ExitCode);
        var seal = await CliRunner.RunAsync("hpke", "seal", "--suite", suite, "--public-key", pk, "--info", info, "--aad", "hex:cafe", "--in", plaintext, "--out", sealedPath);
        Assert.Equal(0, seal.ExitCode);
        var open = await CliRunner.RunAsync("hpke", "open", "--suite", suite, "--private-key", sk, "--info", "hex:010203 0a0b".Replace(" ", string.Empty, StringComparison.Ordinal), "--aad", "hex:CAFE", "--in", sealedPath, "--out", opened);

        Assert.Equal(0, open.ExitCode);
        Assert.Equal("eyJhbGciOiJFUzI1NiJ9.padded", await File.ReadAllTextAsync(opened));
        var parsed = HpkeSuite.Parse(suite);
        Assert.Equal(parsed.CiphertextSize(27), new FileInfo(sealedPath).Length);

        // The library reads what the command wrote.
        var skBytes = skName.EndsWith(".hex", StringComparison.Ordinal) ? Convert.FromHexString((await File.ReadAllTextAsync(sk)).Trim()) : await File.ReadAllBytesAsync(sk);
        using var key = HpkePrivateKey.Import(parsed.Kem, skBytes);
        var blob = await File.ReadAllBytesAsync(sealedPath);
        Assert.True(parsed.TryOpen(key, [1, 2, 3, 10, 11], [0xCA, 0xFE], blob, out var pt));
        Assert.Equal("eyJhbGciOiJFUzI1NiJ9.padded"u8.ToArray(), pt);
    }

    [Fact]
    public async Task SealOpen_JsonOutput_ParsesWithHexFields()
    {
        var sk = Path.Combine(_dir, "sk.bin");
        var pk = Path.Combine(_dir, "pk.bin");
        var keygen = await CliRunner.RunAsync("hpke", "keygen", "--private-key", sk, "--public-key", pk, "--output", "json");
        Assert.Equal(0, keygen.ExitCode);
        var keyJson = keygen.Json();
        Assert.Equal("x25519-sha256-chacha20poly1305", keyJson.GetProperty("suite").GetString());
        Assert.Equal(Convert.ToHexString(await File.ReadAllBytesAsync(pk)).ToLowerInvariant(), keyJson.GetProperty("publicKey").GetString());
        Assert.DoesNotContain(Convert.ToHexString(await File.ReadAllBytesAsync(sk)).ToLowerInvariant(), keygen.Stdout, StringComparison.Ordinal);

        var seal = await CliRunner.RunAsync("hpke", "seal", "--public-key", pk, "--info", "hex:696e666f", "--in", "hex:68656c6c6f", "--output", "json");
        Assert.Equal(0, seal.ExitCode);
        var sealJson = seal.Json();
        var ciphertext = sealJson.GetProperty("ciphertext").GetString()!;
        Assert.Equal(32 + 5 + 16, sealJson.GetProperty("size").GetInt32());
        Assert.Equal(ciphertext[..64], sealJson.GetProperty("encapsulatedKey").GetString());

        var open = await CliRunner.RunAsync("hpke", "open", "--private-key", sk, "--info", "hex:696e666f", "--in", "hex:" + ciphertext, "--output", "json");
        Assert.Equal(0, open.ExitCode);
        var openJson = open.Json();
        Assert.True(openJson.GetProperty("opened").GetBoolean());
        Assert.Equal("68656c6c6f", openJson.GetProperty("plaintext").GetString());
    }

    [Fact]
    public async Task Seal_ToStdout_PrintsHexThatOpens()
    {
        var sk = Path.Combine(_dir, "sk.hex");
        var pk = Path.Combine(_dir, "pk.hex");
        Assert.Equal(0, (await CliRunner.RunAsync("hpke", "keygen", "--private-key", sk, "--public-key", pk)).ExitCode);

        var seal = await CliRunner.RunAsync("hpke", "seal", "--public-key", pk, "--in", "hex:00ff");
        var open = await CliRunner.RunAsync("hpke", "open", "--private-key", sk, "--in", "hex:" + seal.Stdout.Trim());

        Assert.Equal(0, open.ExitCode);
        Assert.Equal("00ff", open.Stdout.Trim());
    }

    [Fact]
    public async Task SealThenOpen_AsProcesses_ThroughStdinAndStdout()
    {
        // The real `stir` process, so that "-" really is standard input and output.
        var dotnet = Peers.Require("dotnet", "dotnet-sdk-10.0");
        var stir = Path.Combine(AppContext.BaseDirectory, "stir.dll");
        var sk = Path.Combine(_dir, "sk.bin");
        var pk = Path.Combine(_dir, "pk.bin");
        Assert.Equal(0, (await CliRunner.RunAsync("hpke", "keygen", "--private-key", sk, "--public-key", pk)).ExitCode);

        var seal = await Peers.RunAsync(dotnet, [stir, "hpke", "seal", "--public-key", pk, "--aad", "hex:01", "--in", "-"], "48 65 6c 6c 6f\n", _dir);
        Assert.True(seal.ExitCode == 0, seal.ToString());
        var open = await Peers.RunAsync(dotnet, [stir, "hpke", "open", "--private-key", sk, "--aad", "hex:01", "--in", "-", "--out", "-"], seal.Stdout, _dir);

        Assert.True(open.ExitCode == 0, open.ToString());
        Assert.Equal("48656c6c6f", open.Stdout.Trim());
        var withoutAad = await Peers.RunAsync(dotnet, [stir, "hpke", "open", "--private-key", sk, "--in", "-"], seal.Stdout, _dir);
        Assert.Equal(1, withoutAad.ExitCode);
    }

    [Fact]
    public async Task Open_TamperedMessage_ExitsInvalid_WithoutSayingWhy()
    {
        var sk = Path.Combine(_dir, "sk.bin");
        var pk = Path.Combine(_dir, "pk.bin");
        var blob = Path.Combine(_dir, "blob.bin");
        Assert.Equal(0, (await CliRunner.RunAsync("hpke", "keygen", "--private-key", sk, "--public-key", pk)).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("hpke", "seal", "--public-key", pk, "--in", "hex:0102030405", "--out", blob)).ExitCode);
        var bytes = await File.ReadAllBytesAsync(blob);
        bytes[40] ^= 0x01;
        await File.WriteAllBytesAsync(blob, bytes);

        var open = await CliRunner.RunAsync("hpke", "open", "--private-key", sk, "--in", blob);
        var json = await CliRunner.RunAsync("hpke", "open", "--private-key", sk, "--in", blob, "--output", "json");

        Assert.Equal(1, open.ExitCode);
        Assert.Contains("error: the message does not open with this key, suite, info and aad", open.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, open.Stdout);
        Assert.Equal(1, json.ExitCode);
        Assert.Equal(1, json.Json().GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task Open_WithOtherInfo_ExitsInvalid()
    {
        var sk = Path.Combine(_dir, "sk.bin");
        var pk = Path.Combine(_dir, "pk.bin");
        Assert.Equal(0, (await CliRunner.RunAsync("hpke", "keygen", "--private-key", sk, "--public-key", pk)).ExitCode);
        var seal = await CliRunner.RunAsync("hpke", "seal", "--public-key", pk, "--info", "hex:01", "--in", "hex:00");

        var open = await CliRunner.RunAsync("hpke", "open", "--private-key", sk, "--info", "hex:02", "--in", "hex:" + seal.Stdout.Trim());

        Assert.Equal(1, open.ExitCode);
    }

    [Theory]
    [InlineData("--in", "hex:01x3", "--in: \"hex:01x3\": 'x' at position 3 is not a hex digit")]
    [InlineData("--info", "hex:abc", "--info: \"hex:abc\": odd number of hex digits (3)")]
    [InlineData("--aad", "hex:zz", "--aad: \"hex:zz\": 'z' at position 1 is not a hex digit")]
    public async Task Seal_BadHex_ExitsUsage_NamingThePosition(string option, string value, string expected)
    {
        using var key = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        var pk = "hex:" + Convert.ToHexString(key.PublicKey.Export());
        string[] args = option == "--in"
            ? ["hpke", "seal", "--public-key", pk, option, value]
            : ["hpke", "seal", "--public-key", pk, "--in", "hex:00", option, value];

        var result = await CliRunner.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seal_BadHexInHexFile_ExitsUsage_NamingFileAndPosition()
    {
        var pk = Path.Combine(_dir, "pk.hex");
        await File.WriteAllTextAsync(pk, "00112233 4455q6");

        var result = await CliRunner.RunAsync("hpke", "seal", "--public-key", pk, "--in", "hex:00");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"--public-key: {pk}: 'q' at position 14 is not a hex digit", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x25519-sha256-chacha20poly1305", 31, "--public-key: X25519 public key: expected 32 bytes, got 31")]
    [InlineData("p256-sha256-aes128gcm", 32, "--public-key: P-256 public key: expected 65 bytes (0x04 || X || Y, SEC 1 uncompressed), got 32")]
    public async Task Seal_KeyOfWrongLength_ExitsUsage_WithPreciseMessage(string suite, int length, string expected)
    {
        var result = await CliRunner.RunAsync("hpke", "seal", "--suite", suite, "--public-key", "hex:" + new string('1', 2 * length), "--in", "hex:00");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_PrivateKeyOfWrongLength_ExitsUsage()
    {
        var result = await CliRunner.RunAsync("hpke", "open", "--private-key", "hex:0102", "--in", "hex:00");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--private-key: X25519 private key: expected 32 bytes, got 2", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seal_SmallOrderPublicKey_ExitsUsage()
    {
        var result = await CliRunner.RunAsync("hpke", "seal", "--public-key", "hex:" + new string('0', 64), "--in", "hex:00");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("small-order point", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x448-sha512-aes256gcm", "unknown KEM \"x448\"")]
    [InlineData("x25519-sha256", "is not <kem>-<kdf>-<aead>")]
    [InlineData("x25519-sha256-exportonly", "export-only")]
    public async Task Seal_UnusableSuite_ExitsUsage(string suite, string expected)
    {
        var result = await CliRunner.RunAsync("hpke", "seal", "--suite", suite, "--public-key", "hex:00", "--in", "hex:00", "--output", "json");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Json().GetProperty("error").GetProperty("cause").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seal_MissingKeyFile_ExitsFailure()
    {
        var result = await CliRunner.RunAsync("hpke", "seal", "--public-key", Path.Combine(_dir, "absent.bin"), "--in", "hex:00");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("--public-key: cannot read", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seal_PublicKeyFromStdin_IsRefused()
    {
        var result = await CliRunner.RunAsync("hpke", "seal", "--public-key", "-", "--in", "hex:00");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("accepted only by --in", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seal_MissingRequiredKey_ExitsUsage()
    {
        var result = await CliRunner.RunAsync("hpke", "seal", "--in", "hex:00");

        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public async Task Keygen_PrivateKeyFile_IsOwnerOnly_AndNeverOverwritten()
    {
        var sk = Path.Combine(_dir, "sk.bin");
        var pk = Path.Combine(_dir, "pk.bin");
        Assert.Equal(0, (await CliRunner.RunAsync("hpke", "keygen", "--private-key", sk, "--public-key", pk)).ExitCode);
        var original = await File.ReadAllBytesAsync(sk);

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(sk));
        }

        var again = await CliRunner.RunAsync("hpke", "keygen", "--private-key", sk, "--public-key", Path.Combine(_dir, "pk2.bin"));
        Assert.Equal(3, again.ExitCode);
        Assert.Contains("--private-key: cannot create", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(original, await File.ReadAllBytesAsync(sk));
        Assert.False(File.Exists(Path.Combine(_dir, "pk2.bin")));
    }

    [Fact]
    public async Task Keygen_PublicKeyPathTaken_LeavesNoPrivateKeyBehind()
    {
        var sk = Path.Combine(_dir, "sk.bin");
        var pk = Path.Combine(_dir, "pk.bin");
        await File.WriteAllTextAsync(pk, "taken");

        var result = await CliRunner.RunAsync("hpke", "keygen", "--private-key", sk, "--public-key", pk);

        Assert.Equal(3, result.ExitCode);
        Assert.False(File.Exists(sk));
        Assert.Equal("taken", await File.ReadAllTextAsync(pk));
    }

    [Fact]
    public async Task Help_ExplainsTheByteArgumentRule()
    {
        var result = await CliRunner.RunAsync("hpke", "seal", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("hex:<hex digits>, or a file (raw bytes; a .hex file holds hex text)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("- (hex on stdin)", result.Stdout, StringComparison.Ordinal);
    }
}
