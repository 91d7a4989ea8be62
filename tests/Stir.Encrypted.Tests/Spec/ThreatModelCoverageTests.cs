using System.Text.RegularExpressions;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Spec;

/// <summary>
/// spec/threat-model.md is what auditors read: every claim (TM-nn) must name tests that exist and carry
/// <c>[Trait("Claim", "TM-nn")]</c>, and every such trait must name a claim that exists. Removing a claim's
/// last test, or tagging a test with a claim nobody wrote, fails here.
/// </summary>
public sealed partial class ThreatModelCoverageTests
{
    [Fact]
    public void EveryClaim_NamesTests_ThatExistAndCarryItsTrait_AndEveryTraitNamesAClaim()
    {
        var problems = Check(ThreatModelClaims.Load(), ClaimTraits.Scan());

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void ClaimIds_AreUniqueAndWellFormed()
    {
        var claims = ThreatModelClaims.Load();

        Assert.NotEmpty(claims);
        Assert.Equal(claims.Count, claims.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Check_ClaimWhoseTestLostItsTrait_IsReported()
    {
        var claims = new[] { new ThreatModelClaim("TM-01", ["A.B"]) };
        var traits = new[] { new ClaimTrait("A", "C", "TM-01") };

        var problems = Check(claims, traits);

        Assert.Contains(problems, p => p.Contains("test A.B does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_ClaimWithNoTaggedTest_IsReported()
    {
        var problems = Check([new ThreatModelClaim("TM-01", [])], []);

        Assert.Contains("TM-01: names no test", problems);
        Assert.Contains("TM-01: no test carries its trait", problems);
    }

    [Theory]
    [InlineData("public sealed class BlobSealingTests", "BlobSealingTests")]
    [InlineData("internal static partial class ClaimTraits", "ClaimTraits")]
    [InlineData("class Plain", "Plain")]
    [InlineData("        Assert.Contains(\"largest class carries\", ex.Message);", null)]
    [InlineData("    // the smallest class that fits", null)]
    public void ClassDeclaration_IsRecognised_ButNotTheWordClassInAStringOrComment(string line, string? expected)
    {
        var match = ClaimTraits.ClassDecl().Match(line);

        Assert.Equal(expected, match.Success ? match.Groups[1].Value : null);
    }

    [Fact]
    public void Check_ClaimWhoseTestIsSkipped_IsReported()
    {
        // A skipped test proves nothing: [Fact(Skip = "...")] must not count as the claim's test.
        var problems = Check([new ThreatModelClaim("TM-01", ["A.B"])], [new ClaimTrait("A", "B", "TM-01", Skipped: true)]);

        Assert.Contains(problems, p => p.Contains("TM-01: test A.B is skipped", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("    [Fact(Skip = \"flaky\")]", true)]
    [InlineData("    [Theory(DisplayName = \"x\", Skip = \"later\")]", true)]
    [InlineData("    [Fact]", false)]
    [InlineData("    [Fact(DisplayName = \"Skip nothing\")]", false)]
    public void SkippedTestAttribute_IsRecognised(string line, bool skipped)
    {
        Assert.Equal(skipped, ClaimTraits.SkipArgument().IsMatch(line));
    }

    [Fact]
    public void Check_TraitNamingAMissingClaim_IsReported()
    {
        var problems = Check([new ThreatModelClaim("TM-01", ["A.B"])], [new ClaimTrait("A", "B", "TM-01"), new ClaimTrait("A", "D", "TM-77")]);

        Assert.Contains(problems, p => p.Contains("A.D", StringComparison.Ordinal) && p.Contains("TM-77", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_TestTaggedWithAnotherClaim_IsReported()
    {
        var problems = Check(
            [new ThreatModelClaim("TM-01", ["A.B"]), new ThreatModelClaim("TM-02", ["A.C"])],
            [new ClaimTrait("A", "B", "TM-02"), new ClaimTrait("A", "C", "TM-02"), new ClaimTrait("A", "E", "TM-01")]);

        Assert.Contains(problems, p => p.Contains("TM-01: test A.B exists but is not tagged", StringComparison.Ordinal));
    }

    internal static List<string> Check(IReadOnlyList<ThreatModelClaim> claims, IReadOnlyList<ClaimTrait> traits)
    {
        var problems = new List<string>();
        foreach (var claim in claims)
        {
            if (claim.Tests.Count == 0)
            {
                problems.Add($"{claim.Id}: names no test");
            }

            foreach (var test in claim.Tests)
            {
                if (traits.Any(t => t.Matches(test) && t.Skipped))
                {
                    problems.Add($"{claim.Id}: test {test} is skipped, so it proves nothing");
                }

                if (!traits.Any(t => t.Matches(test)))
                {
                    problems.Add($"{claim.Id}: test {test} does not exist in tests/ or carries no claim trait");
                }
                else if (!traits.Any(t => t.Matches(test) && t.Claim == claim.Id))
                {
                    problems.Add($"{claim.Id}: test {test} exists but is not tagged [Trait(\"Claim\", \"{claim.Id}\")]");
                }
            }

            if (!traits.Any(t => t.Claim == claim.Id && !t.Skipped))
            {
                problems.Add($"{claim.Id}: no test carries its trait");
            }
        }

        var ids = claims.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        problems.AddRange(traits.Where(t => !ids.Contains(t.Claim)).Select(t => $"{t.Class}.{t.Method} is tagged {t.Claim}, which spec/threat-model.md does not have"));
        return problems;
    }
}

internal sealed record ThreatModelClaim(string Id, IReadOnlyList<string> Tests);

internal static partial class ThreatModelClaims
{
    public static string Path => System.IO.Path.Combine(Peers.RepositoryRoot, "spec", "threat-model.md");

    /// <summary>
    /// Claims are headings <c>### TM-nn ...</c>; the claim's tests are the backticked <c>Class.Method</c>
    /// names on its <c>Tests:</c> line(s) before the next heading.
    /// </summary>
    public static List<ThreatModelClaim> Load()
    {
        var claims = new List<ThreatModelClaim>();
        string? id = null;
        var tests = new List<string>();
        foreach (var line in File.ReadLines(Path))
        {
            var heading = Heading().Match(line);
            if (heading.Success || line.StartsWith("## ", StringComparison.Ordinal))
            {
                if (id is not null)
                {
                    claims.Add(new ThreatModelClaim(id, tests));
                }

                id = heading.Success ? heading.Groups[1].Value : null;
                tests = [];
                continue;
            }

            if (id is not null && line.TrimStart().StartsWith("Tests:", StringComparison.Ordinal))
            {
                tests.AddRange(TestName().Matches(line).Select(m => m.Groups[1].Value));
            }
        }

        if (id is not null)
        {
            claims.Add(new ThreatModelClaim(id, tests));
        }

        return claims;
    }

    [GeneratedRegex(@"^### (TM-\d{2})\b")]
    private static partial Regex Heading();

    [GeneratedRegex(@"`([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)`")]
    private static partial Regex TestName();
}

internal sealed record ClaimTrait(string Class, string Method, string Claim, bool Skipped = false)
{
    public bool Matches(string test) => string.Equals(test, $"{Class}.{Method}", StringComparison.Ordinal);
}

internal static partial class ClaimTraits
{
    /// <summary>
    /// Scans every test source file under tests/ (all test projects) for methods carrying
    /// <c>[Trait("Claim", "TM-nn")]</c>, whatever other attributes sit beside it.
    /// </summary>
    public static List<ClaimTrait> Scan()
    {
        var result = new List<ClaimTrait>();
        var root = System.IO.Path.Combine(Peers.RepositoryRoot, "tests");
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{System.IO.Path.DirectorySeparatorChar}obj{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.Contains($"{System.IO.Path.DirectorySeparatorChar}bin{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            string? currentClass = null;
            var classClaims = new List<string>();
            var pending = new List<string>();
            var pendingIsTest = false;
            var pendingSkipped = false;
            foreach (var line in File.ReadLines(file))
            {
                var cls = ClassDecl().Match(line);
                if (cls.Success)
                {
                    // A trait on the class applies to every test in it (xunit semantics).
                    currentClass = cls.Groups[1].Value;
                    classClaims = [.. pending];
                    pending.Clear();
                    pendingIsTest = false;
                    continue;
                }

                foreach (Match m in ClaimAttr().Matches(line))
                {
                    pending.Add(m.Groups[1].Value);
                }

                pendingIsTest |= line.Contains("[Fact", StringComparison.Ordinal) || line.Contains("[Theory", StringComparison.Ordinal);
                pendingSkipped |= SkipArgument().IsMatch(line);
                var method = MethodDecl().Match(line);
                if (method.Success && currentClass is not null)
                {
                    if (pendingIsTest)
                    {
                        foreach (var claim in pending.Concat(classClaims).Distinct(StringComparer.Ordinal))
                        {
                            result.Add(new ClaimTrait(currentClass, method.Groups[1].Value, claim, pendingSkipped));
                        }
                    }

                    pending.Clear();
                    pendingIsTest = false;
                    pendingSkipped = false;
                }
            }
        }

        return result;
    }

    // A declaration, not the word "class" inside a string or comment ("largest class carries").
    [GeneratedRegex(@"^\s*(?:[a-z]+\s+)*class\s+([A-Za-z_][A-Za-z0-9_]*)")]
    internal static partial Regex ClassDecl();

    // xunit's Skip argument of [Fact(...)] or [Theory(...)].
    [GeneratedRegex(@"\[(?:Fact|Theory)\s*\([^\]]*\bSkip\s*=")]
    internal static partial Regex SkipArgument();

    [GeneratedRegex(@"Trait\(\s*""Claim""\s*,\s*""(TM-\d{2})""\s*\)")]
    private static partial Regex ClaimAttr();

    [GeneratedRegex(@"^\s*public\s+(?:async\s+)?(?:static\s+)?[A-Za-z<>\[\],\s]+?\s([A-Za-z_][A-Za-z0-9_]*)\s*\(")]
    private static partial Regex MethodDecl();
}
