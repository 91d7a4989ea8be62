namespace Stir.Encrypted.Tests.Cli;

/// <summary>`stir demo` starts the real services on loopback and runs every use case; the spoof and the replay must fail.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_RunsEveryUseCase_ThroughTheServices_AndTheSpoofAndReplayFail()
    {
        var result = await CliRunner.RunAsync("demo", "--output", "json");

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var json = result.Json();
        Assert.True(json.GetProperty("ok").GetBoolean());
        var useCases = json.GetProperty("useCases").EnumerateArray().ToList();
        Assert.Equal(7, useCases.Count);
        Assert.All(useCases, u => Assert.True(u.GetProperty("ok").GetBoolean(), u.GetProperty("useCase").GetString() + ": " + u.GetProperty("reason").GetString()));
        var names = useCases.Select(u => u.GetProperty("useCase").GetString()!).ToList();
        foreach (var expected in new[] { "VoIP→PSTN", "Two smart PSTN endpoints", "PSTN→VoIP", "Gateway out of band", "Spoofed caller", "Replay", "Diverted call" })
        {
            Assert.Contains(names, n => n.Contains(expected, StringComparison.Ordinal));
        }

        var spoof = useCases.Single(u => u.GetProperty("useCase").GetString()!.Contains("Spoofed", StringComparison.Ordinal));
        Assert.Equal("TN-Validation-Failed", spoof.GetProperty("verstat").GetString());
        Assert.Contains("OrigNotCovered", spoof.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var replay = useCases.Single(u => u.GetProperty("useCase").GetString()!.StartsWith("6.", StringComparison.Ordinal));
        Assert.True(replay.GetProperty("suspicious").GetBoolean());
        var gateway = useCases.Single(u => u.GetProperty("useCase").GetString()!.Contains("PSTN→VoIP", StringComparison.Ordinal));
        Assert.Contains(";info=<http://127.0.0.1:", gateway.GetProperty("identityHeader").GetString(), StringComparison.Ordinal);
        Assert.All(useCases, u => Assert.Contains(u.GetProperty("verifySteps").EnumerateArray(), s => s.GetProperty("step").GetString() == "retrieve"));
    }

    [Fact]
    public async Task Demo_TextOutput_RedirectedHasPlainLines_ForEveryUseCase()
    {
        var result = await CliRunner.RunAsync("demo");

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.DoesNotContain('\u001b', result.Stdout);
        Assert.Equal(7, result.Stdout.Split('\n').Count(l => l.StartsWith("ok   ", StringComparison.Ordinal)));
        Assert.Contains("demo passed in ", result.Stdout, StringComparison.Ordinal);
    }
}
