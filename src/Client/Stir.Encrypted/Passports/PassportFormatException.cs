namespace Stir.Encrypted.Passports;

/// <summary>
/// A PASSporT (or the Identity header carrying it) from outside is malformed: the one exception type of
/// this format. Structural faults (segments, base64url, UTF-8, JSON, duplicate keys, sizes) stop parsing
/// at the first one; schema faults in the header and claims are all collected, so that
/// <see cref="Problems"/> lists every rule the token breaks and the message names each part, field, rule
/// and value.
/// </summary>
public sealed class PassportFormatException : FormatException
{
    internal PassportFormatException(PassportPart part, string field, string reason)
        : this([new PassportProblem(part, field, reason)])
    {
    }

    internal PassportFormatException(IReadOnlyList<PassportProblem> problems)
        : base(Describe(problems))
    {
        Problems = problems;
    }

    /// <summary>Every problem found, in the order checked; never empty.</summary>
    public IReadOnlyList<PassportProblem> Problems { get; }

    /// <summary>The part of the first problem.</summary>
    public PassportPart Part => Problems[0].Part;

    /// <summary>The field of the first problem (empty when the part as a whole is at fault).</summary>
    public string Field => Problems[0].Field;

    private static string Describe(IReadOnlyList<PassportProblem> problems)
    {
        if (problems.Count == 0)
        {
            throw new ArgumentException("at least one problem is required", nameof(problems));
        }

        return problems.Count == 1 ? problems[0].Message : string.Join("; ", problems.Select(p => p.Message));
    }
}
