namespace Stir.Encrypted.Discovery;

/// <summary>
/// Applies the ENUM rules (RFC 6116 §3–§5, on RFC 3402 and RFC 3403) to the NAPTR RRset of one domain for one
/// AUS. This is pure: no DNS and no state, so it can be tested against the RFC's cases. A bad record is
/// discarded and reported. It never stops the good records of the same RRset from being used (RFC 6116 §5.2).
/// </summary>
internal static class NaptrProcessor
{
    /// <summary>
    /// Evaluates <paramref name="records"/> (the RRset at <paramref name="domain"/>) for <paramref name="aus"/>.
    /// <paramref name="wants"/> picks the enumservices the caller can use, such as <c>x-stir-cps:https</c>.
    /// When it is null, every enumservice except the private <c>P-</c> ones is kept (RFC 6116 §3.4.3.1).
    /// </summary>
    public static EnumRuleSet Process(string aus, string domain, IReadOnlyList<NaptrRecord> records, Func<string, bool>? wants = null)
    {
        ArgumentNullException.ThrowIfNull(aus);
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(records);

        var rules = new List<EnumRule>();
        var problems = new List<EnumFormatException>();
        var serviceErrors = new List<string>();

        // RFC 6116 §5.2: ORDER is the major and PREFERENCE the minor sort key, and records that tie on both keep
        // the order DNS gave them in. OrderBy is a stable sort.
        foreach (var record in records.OrderBy(r => r.Order).ThenBy(r => r.Preference))
        {
            void Discard(string rule) => problems.Add(new EnumFormatException(domain, record, rule));

            // RFC 6116 §3.4.2: the flags decide how the other fields are read, so they are checked first.
            if (record.Flags.Length == 0)
            {
                // RFC 6116 §5.2.1: a non-terminal rule. Its Services and Regexp are ignored, and its Replacement is
                // the next key.
                if (DomainName.TryNormalize(record.Replacement, out var next, out var nameError))
                {
                    rules.Add(EnumRule.NonTerminal(record, next));
                }
                else
                {
                    Discard($"RFC 6116 §5.2.1: a non-terminal rule's Replacement must be a valid FQDN ({nameError})");
                }

                continue;
            }

            if (!EnumServicesField.IsEnum(record.Services))
            {
                // RFC 6116 §3.7, §5.2: a record of another DDDS application. It is not ours and is not an error.
                continue;
            }

            if (!string.Equals(record.Flags, "u", StringComparison.OrdinalIgnoreCase))
            {
                Discard($"RFC 6116 §3.4.2: unknown flag(s) \"{record.Flags}\" (only 'u' is defined); the record is ignored");
                continue;
            }

            serviceErrors.Clear();
            var enumservices = EnumServicesField.Parse(record.Services, serviceErrors);
            foreach (var error in serviceErrors)
            {
                Discard(error);
            }

            // RFC 6116 §3.4.3.1: a P- enumservice belongs to a private network, and a client that is not sure it
            // is on that network MUST discard it.
            enumservices.RemoveAll(s => s.StartsWith("p-", StringComparison.Ordinal) || (wants is not null && !wants(s)));
            if (enumservices.Count == 0)
            {
                continue;
            }

            // RFC 3403 §4.1: REGEXP and REPLACEMENT are mutually exclusive; a terminal ENUM rule uses REGEXP.
            if (record.Replacement is not ("." or ""))
            {
                Discard($"RFC 3403 §4.1: a terminal rule has both a Regexp and a Replacement (\"{record.Replacement}\")");
                continue;
            }

            if (!SubstitutionExpression.TryParse(record.Regexp, out var expression, out var parseError))
            {
                Discard(parseError);
                continue;
            }

            if (!expression.TryApply(aus, out var uri, out var applyError))
            {
                if (applyError is not null)
                {
                    Discard(applyError);
                }

                // No match: RFC 3402 §3.2, the rule does not apply to this AUS.
                continue;
            }

            if (!AbsoluteUri.IsValid(uri, out var uriError))
            {
                Discard($"RFC 6116 §3.3: the output \"{uri}\" is not an absolute URI ({uriError})");
                continue;
            }

            foreach (var enumservice in enumservices)
            {
                rules.Add(EnumRule.Terminal(record, enumservice, uri));
            }
        }

        return new EnumRuleSet(domain, rules, problems);
    }
}
