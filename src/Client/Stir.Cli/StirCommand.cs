using System.CommandLine;

namespace Stir.Encrypted.Cli;

/// <summary>The root of the `stir` command: one subcommand per piece of the system.</summary>
internal static class StirCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("Stir.Encrypted: privacy-first STIR out-of-band caller authentication.");
        root.Subcommands.Add(NumberCommand.Create());
        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        return await root.Parse(args).InvokeAsync(config);
    }
}
