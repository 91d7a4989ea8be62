namespace Stir.Encrypted.Discovery;

/// <summary>
/// What one NAPTR RRset yields for one AUS: its usable rules sorted by ORDER, then PREFERENCE, then the order
/// DNS gave them in (RFC 6116 §5.2), and the records discarded with the reason for each.
/// </summary>
internal sealed class EnumRuleSet
{
    public EnumRuleSet(string domain, IReadOnlyList<EnumRule> rules, IReadOnlyList<EnumFormatException> problems)
    {
        Domain = domain;
        Rules = rules;
        Problems = problems;
    }

    public string Domain { get; }

    public IReadOnlyList<EnumRule> Rules { get; }

    public IReadOnlyList<EnumFormatException> Problems { get; }

    /// <summary>
    /// The rules of the lowest ORDER that has a usable rule. RFC 3403 §4.1 says that once a rule of some ORDER
    /// has been used, rules of a higher ORDER are not considered. RFC 6116 §5.2 says a higher ORDER is not
    /// dropped before that. Records that were discarded or did not match therefore never hide a later ORDER.
    /// </summary>
    public IReadOnlyList<EnumRule> FirstUsableOrder()
    {
        if (Rules.Count == 0)
        {
            return [];
        }

        var order = Rules[0].Order;
        return Rules.TakeWhile(r => r.Order == order).ToList();
    }
}
