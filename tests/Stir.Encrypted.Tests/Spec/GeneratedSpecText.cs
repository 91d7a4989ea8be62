using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Spec;

/// <summary>
/// Parts of spec/ that the test suite writes: the text between
/// <c>&lt;!-- BEGIN GENERATED name ... --&gt;</c> and <c>&lt;!-- END GENERATED name --&gt;</c> must equal what the
/// code produces now. A drift fails and prints the expected text to paste; with <c>STIR_UPDATE_SPEC=1</c> in the
/// environment the file is rewritten instead (CI never sets it, so there a drift always fails).
/// </summary>
internal static class GeneratedSpecText
{
    public const string UpdateVariable = "STIR_UPDATE_SPEC";

    public static string BeginMarker(string name) => $"<!-- BEGIN GENERATED {name} ";

    public static string EndMarker(string name) => $"<!-- END GENERATED {name} -->";

    /// <summary>Fails unless the section <paramref name="name"/> of spec/<paramref name="file"/> is exactly <paramref name="expected"/>.</summary>
    public static void AssertSection(string file, string name, string expected)
    {
        var path = Path.Combine(Peers.RepositoryRoot, "spec", file);
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        var (start, end) = Locate(text, name, file);
        var actual = text[start..end];
        expected = expected.ReplaceLineEndings("\n");
        if (actual == expected)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, text[..start] + expected + text[end..]);
            return;
        }

        Assert.Fail(
            $"spec/{file}, generated section {name}, differs from what the code produces now ({FirstDifference(actual, expected)}).\n"
            + $"Run the tests with {UpdateVariable}=1 to rewrite it, or paste this between the markers:\n\n{expected}");
    }

    /// <summary>The text between the markers (exclusive), as offsets into <paramref name="text"/>.</summary>
    public static (int Start, int End) Locate(string text, string name, string file)
    {
        var begin = text.IndexOf(BeginMarker(name), StringComparison.Ordinal);
        Assert.True(begin >= 0, $"spec/{file} has no line starting with \"{BeginMarker(name)}\"");
        var start = text.IndexOf('\n', begin) + 1;
        var end = text.IndexOf(EndMarker(name), start, StringComparison.Ordinal);
        Assert.True(end >= 0, $"spec/{file} has no \"{EndMarker(name)}\" after its begin marker");
        Assert.True(text.IndexOf(BeginMarker(name), start, StringComparison.Ordinal) < 0, $"spec/{file} has two sections named {name}");
        return (start, end);
    }

    private static string FirstDifference(string actual, string expected)
    {
        var a = actual.Split('\n');
        var e = expected.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, e.Length); i++)
        {
            var x = i < a.Length ? a[i] : "<end>";
            var y = i < e.Length ? e[i] : "<end>";
            if (x != y)
            {
                return $"first at line {i + 1} of the section: document has \"{x}\", code gives \"{y}\"";
            }
        }

        return "line endings differ";
    }
}
