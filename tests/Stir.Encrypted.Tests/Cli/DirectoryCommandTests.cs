using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Cli;

/// <summary>
/// `stir keys generate|record` and `stir directory publish|revoke|lookup|sync` against a real directory on loopback
/// (the service as <c>DirectoryApplication.Build</c> makes it). Exit codes: 0 accepted / keys found / copy verified;
/// 1 refused, no usable key, or entries that do not verify; 2 usage; 3 directory or file unreachable.
/// </summary>
public sealed class DirectoryCommandTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("stir-directory-cli-").FullName;
    private readonly KeyRecordPki _pki = new(new FakeTimeProvider(DateTimeOffset.UtcNow));
    private readonly KeyRecordPki _otherPki = new(new FakeTimeProvider(DateTimeOffset.UtcNow));
    private LoopbackDirectory? _directory;

    private string Anchors => Path.Combine(_dir, "anchors.pem");

    private string OtherAnchors => Path.Combine(_dir, "other-anchors.pem");

    private string Url => _directory!.Url;

    public async Task InitializeAsync()
    {
        File.WriteAllText(Anchors, _pki.RootPem);
        File.WriteAllText(OtherAnchors, _otherPki.RootPem);
        _pki.Issue("carrier", "range:12025550000+10000").Credential.Save(_dir, "carrier");
        _pki.Issue("user", "one:12025550123").Credential.Save(_dir, "user");
        _directory = await LoopbackDirectory.StartAsync(Anchors, Path.Combine(_dir, "data"));
    }

    public async Task DisposeAsync()
    {
        if (_directory is not null)
        {
            await _directory.DisposeAsync();
        }

        _pki.Dispose();
        _otherPki.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Generate_WritesKeyPair_PrivateOwnerOnly_AndNeverOverwrites()
    {
        var result = await CliRunner.RunAsync("keys", "generate", "--private-key", Path.Combine(_dir, "k.priv"), "--public-key", Path.Combine(_dir, "k.pub"), "-o", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(_dir, "k.pub")).Trim(), result.Json().GetProperty("publicKey").GetString());
        Assert.Equal(43, File.ReadAllText(Path.Combine(_dir, "k.priv")).Trim().Length); // 32 bytes, base64url
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, "k.priv")));
        }

        var again = await CliRunner.RunAsync("keys", "generate", "--private-key", Path.Combine(_dir, "k.priv"), "--public-key", Path.Combine(_dir, "k2.pub"));
        Assert.Equal(3, again.ExitCode);
        Assert.StartsWith("error: --private-key: cannot create", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: ", again.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "k2.pub")));
    }

    [Fact]
    public async Task RecordPublishLookup_RoundTrip_GivesTheGeneratedKey()
    {
        var pk = await GenerateAsync("a");
        var record = await RecordAsync("carrier", "a", "k1", 1, "--tn", "+12025550123", "--range", "12025550100+100", "--role", "carrier");

        var publish = await CliRunner.RunAsync("directory", "publish", record, "--directory", Url, "--trust", Anchors);
        Assert.True(publish.ExitCode == 0, publish.Stderr);
        Assert.StartsWith("published: ", publish.Stdout, StringComparison.Ordinal);

        foreach (var mode in new[] { "bucketed", "exact" })
        {
            var lookup = await CliRunner.RunAsync("directory", "lookup", "+12025550150", "--directory", Url, "--trust", Anchors, "--mode", mode, "-o", "json");
            Assert.True(lookup.ExitCode == 0, lookup.Stdout + lookup.Stderr);
            var json = lookup.Json();
            Assert.Equal("directory", json.GetProperty("source").GetString());
            var key = Assert.Single(json.GetProperty("keys").EnumerateArray());
            Assert.Equal(pk, key.GetProperty("publicKey").GetString());
            Assert.Equal("k1", key.GetProperty("rid").GetString());
            Assert.Equal("carrier", key.GetProperty("role").GetString());
        }
    }

    [Fact]
    public async Task Publish_Again_IsUnchanged_AndLowerSeqIsRefusedWithTheProblem()
    {
        await GenerateAsync("a");
        var two = await RecordAsync("carrier", "a", "k1", 2, "--tn", "12025550123");
        var one = await RecordAsync("carrier", "a", "k1", 1, "--tn", "12025550123");
        Assert.Equal(0, (await CliRunner.RunAsync("directory", "publish", two, "--directory", Url)).ExitCode);

        var again = await CliRunner.RunAsync("directory", "publish", two, "--directory", Url);
        Assert.Equal(0, again.ExitCode);
        Assert.StartsWith("unchanged: ", again.Stdout, StringComparison.Ordinal);

        var stale = await CliRunner.RunAsync("directory", "publish", one, "--directory", Url);
        Assert.Equal(1, stale.ExitCode);
        Assert.StartsWith("error: the directory refused the record (stale-seq): ", stale.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: use a --seq higher", stale.Stderr, StringComparison.Ordinal);

        var json = (await CliRunner.RunAsync("directory", "publish", one, "--directory", Url, "-o", "json")).Json();
        Assert.Equal("stale-seq", json.GetProperty("problem").GetString());
        Assert.Equal(409, json.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Publish_NotCovering_IsRefusedByTheDirectory_AndByTheLocalPrecheck()
    {
        await GenerateAsync("a");
        var record = await RecordAsync("user", "a", "u1", 1, "--tn", "12025550124"); // the user's certificate covers only ...123

        var refused = await CliRunner.RunAsync("directory", "publish", record, "--directory", Url, "-o", "json");
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("not-covered", refused.Json().GetProperty("problem").GetString());

        var prechecked = await CliRunner.RunAsync("directory", "publish", record, "--directory", "http://127.0.0.1:9/", "--trust", Anchors);
        Assert.Equal(1, prechecked.ExitCode);
        Assert.StartsWith("error: the record does not verify (not-covered): ", prechecked.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_ThenLookup_HasNoUsableKey()
    {
        await GenerateAsync("a");
        Assert.Equal(0, (await CliRunner.RunAsync("directory", "publish", await RecordAsync("carrier", "a", "k1", 1, "--tn", "12025550123"), "--directory", Url)).ExitCode);

        var revoke = await CliRunner.RunAsync("directory", "revoke", "--cert", Cert("carrier"), "--key", Key("carrier"), "--rid", "k1", "--seq", "2", "--directory", Url);
        Assert.True(revoke.ExitCode == 0, revoke.Stderr);
        Assert.StartsWith("revoked: ", revoke.Stdout, StringComparison.Ordinal);

        var lookup = await CliRunner.RunAsync("directory", "lookup", "12025550123", "--directory", Url, "--trust", Anchors, "--mode", "exact");
        Assert.Equal(1, lookup.ExitCode);
        Assert.Contains("no usable key for 12025550123", lookup.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Claim", "TM-31")]
    public async Task Lookup_WithOtherTrustAnchors_RejectsTheRecord_ExitsOne()
    {
        await GenerateAsync("a");
        Assert.Equal(0, (await CliRunner.RunAsync("directory", "publish", await RecordAsync("carrier", "a", "k1", 1, "--tn", "12025550123"), "--directory", Url)).ExitCode);

        var lookup = await CliRunner.RunAsync("directory", "lookup", "12025550123", "--directory", Url, "--trust", OtherAnchors, "-o", "json");

        Assert.Equal(1, lookup.ExitCode);
        var json = lookup.Json();
        Assert.Empty(json.GetProperty("keys").EnumerateArray());
        Assert.Equal("untrusted-chain", Assert.Single(json.GetProperty("rejected").EnumerateArray()).GetProperty("failure").GetString());
    }

    [Fact]
    public async Task Sync_CopiesTheDirectory_ThenCachedLookupAnswersWithTheDirectoryGone()
    {
        var pk = await GenerateAsync("a");
        Assert.Equal(0, (await CliRunner.RunAsync("directory", "publish", await RecordAsync("carrier", "a", "k1", 1, "--tn", "12025550123"), "--directory", Url)).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("directory", "publish", await RecordAsync("user", "a", "u1", 1, "--tn", "12025550123"), "--directory", Url)).ExitCode);
        var cache = Path.Combine(_dir, "cache");

        var sync = await CliRunner.RunAsync("directory", "sync", "--directory", Url, "--trust", Anchors, "--cache", cache);
        Assert.True(sync.ExitCode == 0, sync.Stderr);
        Assert.StartsWith("synced: version 2, 2 entries (snapshot + 0 changes)", sync.Stdout, StringComparison.Ordinal);
        // Redirected output: the progress display degrades to plain lines, one per stage at least.
        Assert.Contains("snapshot 2/2\n", sync.Stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("verify 2/2\n", sync.Stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain('\r', sync.Stderr);

        var again = await CliRunner.RunAsync("directory", "sync", "--directory", Url, "--trust", Anchors, "--cache", cache, "-o", "json");
        Assert.Equal(0, again.ExitCode);
        Assert.False(again.Json().GetProperty("usedSnapshot").GetBoolean());
        Assert.Equal(string.Empty, again.Stderr); // no progress with --output json

        // The cache belongs to the directory URL it was filled from; the directory is gone now.
        var url = Url;
        await _directory!.DisposeAsync();
        _directory = null;
        var cached = await CliRunner.RunAsync("directory", "lookup", "+12025550123", "--directory", url, "--trust", Anchors, "--cache", cache, "--mode", "cached", "-o", "json");
        Assert.True(cached.ExitCode == 0, cached.Stdout);
        Assert.Equal("cache", cached.Json().GetProperty("source").GetString());
        Assert.Equal(2, cached.Json().GetProperty("keys").GetArrayLength());
        Assert.All(cached.Json().GetProperty("keys").EnumerateArray(), k => Assert.Equal(pk, k.GetProperty("publicKey").GetString()));
    }

    [Fact]
    public async Task SyncNumbers_PrefetchesTheBookAmongDecoys_ThenCachedLookupsAskNothing()
    {
        await GenerateAsync("a");
        Assert.Equal(0, (await CliRunner.RunAsync("directory", "publish", await RecordAsync("carrier", "a", "k1", 1, "--tn", "12025550123"), "--directory", Url)).ExitCode);
        var book = Path.Combine(_dir, "book.txt");
        File.WriteAllText(book, "# friends\n+12025550123\n\n12025550124  # office\n");
        var cache = Path.Combine(_dir, "cache");

        var sync = await CliRunner.RunAsync("directory", "sync", "--directory", Url, "--trust", Anchors, "--cache", cache, "--numbers", book, "--decoys", "20", "-o", "json");

        Assert.True(sync.ExitCode == 0, sync.Stdout);
        var json = sync.Json();
        Assert.Equal(2, json.GetProperty("numbers").GetInt32());
        Assert.InRange(json.GetProperty("realBuckets").GetInt32(), 1, 2);
        Assert.Equal(20, json.GetProperty("decoyBuckets").GetInt32());

        var url = Url;
        await _directory!.DisposeAsync();
        _directory = null;
        var cached = await CliRunner.RunAsync("directory", "lookup", "12025550123", "--directory", url, "--trust", Anchors, "--cache", cache, "--mode", "cached");
        Assert.True(cached.ExitCode == 0, cached.Stdout + cached.Stderr);
        Assert.StartsWith("from the cache, ", cached.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SyncNumbers_Text_ShowsPlainProgressLinesForEveryTenth()
    {
        var book = Path.Combine(_dir, "book.txt");
        File.WriteAllText(book, "12025550123\n");

        var sync = await CliRunner.RunAsync("directory", "sync", "--directory", Url, "--trust", Anchors, "--cache", Path.Combine(_dir, "c"), "--numbers", book, "--decoys", "39");

        Assert.True(sync.ExitCode == 0, sync.Stderr);
        Assert.Equal("prefetched: 1 numbers in 1 buckets, among 39 decoy buckets\n", sync.Stdout.ReplaceLineEndings("\n"));
        var lines = sync.Stderr.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(["buckets 0/40", "buckets 4/40", "buckets 8/40", "buckets 12/40", "buckets 16/40", "buckets 20/40", "buckets 24/40", "buckets 28/40", "buckets 32/40", "buckets 36/40", "buckets 40/40"], lines);
    }

    [Fact]
    public async Task DirectoryDown_ExitsThree_WithCauseAndHint()
    {
        var lookup = await CliRunner.RunAsync("directory", "lookup", "12025550123", "--directory", "http://127.0.0.1:9/", "--trust", Anchors);
        Assert.Equal(3, lookup.ExitCode);
        Assert.StartsWith("error: ", lookup.Stderr, StringComparison.Ordinal);
        Assert.Contains("\nhint: ", lookup.Stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);

        var sync = await CliRunner.RunAsync("directory", "sync", "--directory", "http://127.0.0.1:9/", "--trust", Anchors, "--cache", Path.Combine(_dir, "c"), "-o", "json");
        Assert.Equal(3, sync.ExitCode);
        Assert.Equal(3, sync.Json().GetProperty("exitCode").GetInt32());
    }

    [Theory]
    [InlineData("error: 12x45: ", "directory", "lookup", "12x45", "--directory", "URL", "--trust", "ANCHORS")]
    [InlineData("error: --directory ftp://x/ is not an absolute http(s) URL", "directory", "lookup", "12025550123", "--directory", "ftp://x/", "--trust", "ANCHORS")]
    [InlineData("error: Option '--trust' is required.", "directory", "lookup", "12025550123", "--directory", "URL")]
    [InlineData("error: --numbers BOOK: line 2: 55x5: ", "directory", "sync", "--directory", "URL", "--trust", "ANCHORS", "--cache", "CACHE", "--numbers", "BOOK")]
    [InlineData("error: --decoys -1: not negative", "directory", "sync", "--directory", "URL", "--trust", "ANCHORS", "--cache", "CACHE", "--decoys", "-1")]
    [InlineData("error: a revocation names only --rid and --seq", "keys", "record", "--cert", "CERT", "--key", "KEY", "--rid", "r", "--seq", "1", "--revoke", "--tn", "12025550123")]
    [InlineData("error: no number: give --tn or --range", "keys", "record", "--cert", "CERT", "--key", "KEY", "--rid", "r", "--seq", "1", "--public-key", "PUB")]
    [InlineData("error: --days 100 puts exp after the certificate chain's notAfter", "keys", "record", "--cert", "CERT", "--key", "KEY", "--rid", "r", "--seq", "1", "--public-key", "PUB", "--tn", "12025550123", "--days", "100")]
    public async Task Usage_ExitsTwo_WithTheCause(string expected, params string[] args)
    {
        var pub = await GenerateAsync("u");
        File.WriteAllText(Path.Combine(_dir, "book.txt"), "12025550123\n55x5\n");
        var book = Path.Combine(_dir, "book.txt");
        var resolved = args.Select(a => a switch
        {
            "URL" => Url,
            "ANCHORS" => Anchors,
            "CACHE" => Path.Combine(_dir, "cache"),
            "BOOK" => book,
            "CERT" => Cert("carrier"),
            "KEY" => Key("carrier"),
            "PUB" => Path.Combine(_dir, "u.pub"),
            _ => a,
        }).ToArray();
        Assert.NotEmpty(pub);

        var result = await CliRunner.RunAsync(resolved);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(expected.Replace("BOOK", book, StringComparison.Ordinal), result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_NotAKeyRecord_ExitsOneWithTheField()
    {
        var file = Path.Combine(_dir, "junk.jws");
        File.WriteAllText(file, "eyJhbGciOiJFUzI1NiJ9.e30.AAAA");

        var result = await CliRunner.RunAsync("directory", "publish", file, "--directory", Url);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: not a key record or revocation: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_Json_DescribesTheSignedClaims()
    {
        var pk = await GenerateAsync("a");
        var result = await CliRunner.RunAsync("keys", "record", "--cert", Cert("carrier"), "--key", Key("carrier"), "--public-key", Path.Combine(_dir, "a.pub"), "--rid", "k9", "--seq", "7", "--range", "12025550100+100", "--days", "10", "-o", "json");

        Assert.Equal(0, result.ExitCode);
        var json = result.Json();
        Assert.Equal("record", json.GetProperty("kind").GetString());
        Assert.Equal(7, json.GetProperty("seq").GetInt64());
        Assert.Equal(pk, json.GetProperty("publicKey").GetString());
        Assert.Equal(10 * 86400, json.GetProperty("expires").GetInt64() - json.GetProperty("issuedAt").GetInt64());
        Assert.Equal(JsonValueKind.String, json.GetProperty("token").ValueKind);
        Assert.Equal("x25519-sha256-chacha20poly1305", json.GetProperty("suite").GetString());
    }

    private string Cert(string name) => Path.Combine(_dir, $"{name}.chain.pem");

    private string Key(string name) => Path.Combine(_dir, $"{name}.key.pem");

    private async Task<string> GenerateAsync(string name)
    {
        var result = await CliRunner.RunAsync("keys", "generate", "--private-key", Path.Combine(_dir, $"{name}.priv"), "--public-key", Path.Combine(_dir, $"{name}.pub"), "-o", "json");
        Assert.True(result.ExitCode == 0, result.Stdout);
        return result.Json().GetProperty("publicKey").GetString()!;
    }

    private async Task<string> RecordAsync(string holder, string keyName, string rid, long seq, params string[] numbers)
    {
        var file = Path.Combine(_dir, $"{holder}-{rid}-{seq}.jws");
        var result = await CliRunner.RunAsync(
            ["keys", "record", "--cert", Cert(holder), "--key", Key(holder), "--public-key", Path.Combine(_dir, $"{keyName}.pub"), "--rid", rid, "--seq", seq.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", file, .. numbers]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return file;
    }
}
