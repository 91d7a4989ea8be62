namespace Stir.Encrypted.Tests.Cli;

public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_RunsEveryStep_AndPasses()
    {
        var result = await CliRunner.RunAsync("demo", "--output", "json");

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var json = result.Json();
        Assert.True(json.GetProperty("ok").GetBoolean());
        Assert.All(json.GetProperty("steps").EnumerateArray(), s => Assert.True(s.GetProperty("ok").GetBoolean(), s.GetProperty("step").GetString()));
        Assert.Contains(json.GetProperty("steps").EnumerateArray(), s => s.GetProperty("step").GetString() == "spoofed caller refused");
    }
}
