using System.CommandLine;

namespace Stir.Encrypted.Cli;

/// <summary>The root of the `stir` command: one subcommand per piece of the system.</summary>
internal static class StirCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var root = Create();
        var parse = root.Parse(args);
        var config = new InvocationConfiguration { Output = stdout, Error = stderr };

        // System.CommandLine reports parse errors with exit code 1, which for us means "invalid input
        // checked": usage mistakes get their own code (ExitCodes.Usage).
        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
        {
            var output = new InvocationConfiguration { Output = stdout, Error = stderr };
            var json = args.Contains("json", StringComparer.Ordinal);
            foreach (var error in parse.Errors)
            {
                if (json)
                {
                    stdout.WriteLine(CommandOutput.ToJson(new System.Text.Json.Nodes.JsonObject
                    {
                        ["error"] = new System.Text.Json.Nodes.JsonObject { ["cause"] = error.Message, ["hint"] = "run with --help for usage" },
                        ["exitCode"] = ExitCodes.Usage,
                    }));
                    break;
                }

                output.Error.WriteLine($"error: {error.Message}");
            }

            if (!json)
            {
                stderr.WriteLine("hint: run with --help for usage");
            }

            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(config, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stderr.WriteLine("error: cancelled");
            return ExitCodes.Failure;
        }
    }

    internal static RootCommand Create()
    {
        var root = new RootCommand("Stir.Encrypted: privacy-first STIR out-of-band caller authentication.");
        root.Options.Add(CommandOutput.Option);
        root.Subcommands.Add(NumberCommand.Create());
        root.Subcommands.Add(HpkeCommand.Create());
        root.Subcommands.Add(PkiCommand.Create());
        root.Subcommands.Add(CertCommand.Create());
        root.Subcommands.Add(PassportCommand.Create());
        root.Subcommands.Add(DiscoverCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(SipCommand.Create());
        return root;
    }
}
