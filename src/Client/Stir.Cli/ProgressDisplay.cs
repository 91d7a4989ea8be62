using Stir.Encrypted.KeyRecords;

namespace Stir.Encrypted.Cli;

/// <summary>
/// Shows how far a directory sync or prefetch is. At a terminal one line is redrawn in place (carriage return) with
/// a bar; when output is redirected (a log, a pipe, a test) it degrades to plain lines: one when a stage starts,
/// one at each tenth of a stage with a known total, one when it ends, so logs stay short and readable.
/// </summary>
/// <remarks>Reports arrive synchronously on the caller's flow (not <see cref="Progress{T}"/>, which posts them and can reorder lines).</remarks>
internal sealed class ProgressDisplay : IProgress<DirectoryProgress>
{
    private const int BarWidth = 30;
    private readonly TextWriter _writer;
    private readonly bool _interactive;
    private string? _stage;
    private int _lastTenth = -1;
    private bool _lineOpen;

    public ProgressDisplay(TextWriter writer, bool interactive)
    {
        _writer = writer;
        _interactive = interactive;
    }

    public void Report(DirectoryProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var newStage = value.Stage != _stage;
        if (newStage)
        {
            EndLine();
            _stage = value.Stage;
            _lastTenth = -1;
        }

        if (_interactive)
        {
            var bar = value.Total > 0 ? $" [{new string('#', BarWidth * value.Done / value.Total).PadRight(BarWidth)}]" : string.Empty;
            _writer.Write($"\r{value}{bar}");
            _lineOpen = true;
            return;
        }

        var tenth = value.Total > 0 ? 10 * value.Done / value.Total : -1;
        if (newStage || (value.Total > 0 && tenth > _lastTenth))
        {
            _writer.WriteLine(value.ToString());
            _lastTenth = tenth;
        }
    }

    /// <summary>Ends a line left open by the live display.</summary>
    public void Finish() => EndLine();

    private void EndLine()
    {
        if (_lineOpen)
        {
            _writer.WriteLine();
            _lineOpen = false;
        }
    }
}
