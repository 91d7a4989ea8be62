using Stir.Encrypted.Cli;
using Stir.Encrypted.KeyRecords;

namespace Stir.Encrypted.Tests.Cli;

/// <summary>The sync progress display: redrawn in place at a terminal, plain lines when output is redirected.</summary>
public sealed class ProgressDisplayTests
{
    [Fact]
    public void Interactive_RedrawsOneLinePerStage_WithABar_AndEndsTheLine()
    {
        using var writer = new StringWriter();
        var display = new ProgressDisplay(writer, interactive: true);

        display.Report(new DirectoryProgress("snapshot", 3, 3));
        display.Report(new DirectoryProgress("verify", 1, 2));
        display.Report(new DirectoryProgress("verify", 2, 2));
        display.Finish();

        var bar = new string('#', 30);
        Assert.Equal($"\rsnapshot 3/3 [{bar}]\n\rverify 1/2 [{new string('#', 15),-30}]\rverify 2/2 [{bar}]\n", writer.ToString().Replace(writer.NewLine, "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Redirected_WritesPlainLines_AtEachStageAndEachTenth_NoCarriageReturn()
    {
        using var writer = new StringWriter();
        var display = new ProgressDisplay(writer, interactive: false);

        for (var i = 0; i <= 20; i++)
        {
            display.Report(new DirectoryProgress("buckets", i, 20));
        }

        display.Report(new DirectoryProgress("changes", 5, 0));
        display.Report(new DirectoryProgress("changes", 9, 0)); // unknown total: only the stage's first line
        display.Finish();

        Assert.Equal(
            "buckets 0/20\nbuckets 2/20\nbuckets 4/20\nbuckets 6/20\nbuckets 8/20\nbuckets 10/20\nbuckets 12/20\nbuckets 14/20\nbuckets 16/20\nbuckets 18/20\nbuckets 20/20\nchanges 5\n",
            writer.ToString().ReplaceLineEndings("\n"));
    }
}
