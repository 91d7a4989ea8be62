using System.Text.RegularExpressions;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.CpsService.Problems;

namespace Stir.Encrypted.Cps.Tests.Spec;

/// <summary>spec/api/problems.md, section "Call Placement Service", lists exactly the problem types the code can emit, with the same statuses.</summary>
public sealed partial class ProblemTypesTests
{
    [Fact]
    public void ProblemsDocument_ListsExactlyTheTypesOfTheCode()
    {
        var text = File.ReadAllText(RepositoryFiles.PathOf("spec/api/problems.md"));
        var start = text.IndexOf("\n## Call Placement Service\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "spec/api/problems.md has no \"## Call Placement Service\" section");
        var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? text[start..] : text[start..end];
        var listed = Row().Matches(section).Select(m => (m.Groups["name"].Value, int.Parse(m.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();

        var inCode = ProblemType.All.Select(t => (t.Name, t.Status)).ToList();

        Assert.Equal(listed.Count, listed.Distinct().Count());
        Assert.Equal(inCode.Order(), listed.Order());
    }

    [Fact]
    public void ProblemTypes_HaveStableUrisAndDistinctNames()
    {
        Assert.Equal(ProblemType.All.Count, ProblemType.All.Select(t => t.Name).Distinct().Count());
        foreach (var type in ProblemType.All)
        {
            Assert.Equal(new Uri("https://stir-encrypted.org/problems/" + type.Name), type.Type);
            Assert.Matches("^[a-z]+(-[a-z]+)*$", type.Name);
            Assert.InRange(type.Status, 400, 599);
        }
    }

    [GeneratedRegex(@"^\| `(?<name>[a-z-]+)` \| (?<status>\d{3}) \|", RegexOptions.Multiline)]
    private static partial Regex Row();
}
