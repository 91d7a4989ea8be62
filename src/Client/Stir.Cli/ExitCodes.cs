namespace Stir.Encrypted.Cli;

/// <summary>
/// The exit codes of every `stir` command. Scripts rely on them, so they never change meaning:
/// valid and invalid are answers about the input; usage and failure say there is no answer.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked; for a check, the thing checked is valid.</summary>
    public const int Success = 0;

    /// <summary>The command ran and the answer is "no": the token, certificate or blob is invalid, a check failed.</summary>
    public const int Invalid = 1;

    /// <summary>The command line is wrong: an unknown option, a missing argument, an argument that does not parse.</summary>
    public const int Usage = 2;

    /// <summary>The command could not get an answer: a file, the network or a service failed.</summary>
    public const int Failure = 3;
}
