namespace Stir.Encrypted.Cli;

/// <summary>
/// Progress of long work: on a terminal, a "… working" line that the result then replaces; when the output is
/// redirected (a file, a pipe, a test) or JSON, plain result lines only, with no control characters.
/// </summary>
internal sealed class DemoProgress
{
    private readonly TextWriter _out;
    private readonly bool _interactive;
    private readonly bool _silent;

    public DemoProgress(CommandOutput output)
    {
        _out = output.Out;
        _silent = output.IsJson;
        _interactive = !output.IsJson && ReferenceEquals(output.Out, Console.Out) && !Console.IsOutputRedirected;
    }

    public void Working(string what)
    {
        if (_interactive)
        {
            _out.Write($"  … {what}");
            _out.Flush();
        }
    }

    public void Line(string line)
    {
        if (_silent)
        {
            return;
        }

        // ESC[2K clears the "… working" line the result replaces.
        _out.WriteLine(_interactive ? $"\r\u001b[2K{line}" : line);
    }
}
