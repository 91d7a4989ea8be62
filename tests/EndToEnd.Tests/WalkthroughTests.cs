using Stir.Encrypted.EndToEnd.Tests.Support;

namespace Stir.Encrypted.EndToEnd.Tests;

/// <summary>
/// The README's "Walkthrough", command by command as processes against `stir serve`: a new key holder generates its
/// HPKE key pair with `stir keys generate`, signs a key record with `stir keys record`, publishes it with
/// `stir directory publish`; the caller copies the directory with `stir directory sync`; `stir call` then seals to that
/// key, found in the copy, and `stir verify` opens with the very file `stir keys generate` wrote.
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class WalkthroughTests(ServeProcess serve) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("stir-e2e-walk-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    [Trait("Claim", "TM-45")]
    public async Task KeysGenerate_Record_Publish_Call_Verify_AsTheReadmeSays()
    {
        const string Dave = "+13035550177";
        var alice = serve.NextCaller().ToE164();
        var privateKey = Path.Combine(_work, "dave.key");
        var publicKey = Path.Combine(_work, "dave.pub");
        var record = Path.Combine(_work, "dave.record");

        var generate = await ServeProcess.StirAsync("keys", "generate", "--private-key", privateKey, "--public-key", publicKey);
        var sign = await ServeProcess.StirAsync("keys", "record", "--cert", serve.ChainFile("bob-carrier"), "--key", serve.KeyFile("bob-carrier"),
            "--public-key", publicKey, "--tn", Dave, "--rid", "dave-phone", "--seq", "1", "--role", "user", "--days", "7", "--out", record);
        var aliceDirectory = Path.Combine(_work, "alice-dir");
        var publish = await ServeProcess.StirAsync("directory", "publish", record, "--directory", serve.DirectoryUrl.AbsoluteUri, "--trust", serve.Root);
        var sync = await ServeProcess.StirAsync("directory", "sync", "--directory", serve.DirectoryUrl.AbsoluteUri, "--trust", serve.Root, "--cache", aliceDirectory);
        var call = await ServeProcess.StirAsync("call", "--orig", alice, "--dest", Dave, "--cert", serve.ChainFile("alice-carrier"), "--key", serve.KeyFile("alice-carrier"),
            "--x5u", serve.X5uOf("alice-carrier"), "--trust", serve.Root, "--cps", serve.Cps.AbsoluteUri, "--directory", serve.DirectoryUrl.AbsoluteUri, "--allow-http", "--cache", aliceDirectory, "--output", "json");
        var verify = await ServeProcess.StirAsync("verify", "--orig", alice, "--dest", Dave, "--keys", privateKey, "--trust", serve.Root,
            "--cps", serve.Cps.AbsoluteUri, "--allow-http", "--output", "json");

        foreach (var step in new[] { generate, sign, publish, sync, call, verify })
        {
            Assert.True(step.ExitCode == 0, step.ToString());
        }

        Assert.Equal(1, ServeProcess.Json(call).GetProperty("blobs").GetInt32());
        Assert.Equal("cached", ServeProcess.Json(call).GetProperty("keyLookup").GetString());
        Assert.Equal("TN-Validation-Passed", ServeProcess.Json(verify).GetProperty("verstat").GetString());
    }
}
