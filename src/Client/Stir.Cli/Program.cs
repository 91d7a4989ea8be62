using Stir.Encrypted.Cli;

return await StirCommand.RunAsync(args, Console.Out, Console.Error);
