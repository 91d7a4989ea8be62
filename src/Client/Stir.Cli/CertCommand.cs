using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cli;

/// <summary>
/// `stir cert inspect`: what a STIR certificate says (subject, validity, TNAuthList, ATIS findings, claim
/// constraints) and, when asked, whether its chain validates and whether it covers a number.
/// </summary>
internal static class CertCommand
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public static Command Create()
    {
        var command = new Command("cert", "Inspect STIR certificates");
        command.Subcommands.Add(CreateInspect());
        return command;
    }

    private static Command CreateInspect()
    {
        var file = new Argument<string>("file") { Description = "A PEM file: the certificate, optionally followed by its chain (end entity first)" };
        var trust = new Option<string?>("--trust") { Description = "PEM file of trust anchors; validates the chain against them" };
        var at = new Option<string?>("--at") { Description = "Validate at this time, in Unix seconds (default: now)" };
        var number = new Option<string?>("--number") { Description = "A number to check coverage for, +E.164 or canonical" };
        var spcAuth = new Option<string?>("--spc-auth") { Description = "SPC authorization JSON file: {\"spc\":{\"709J\":[\"12025550100+100\"]}}" };
        var command = new Command("inspect", "Show a certificate's TNAuthList and check its chain and coverage of a number") { file, trust, at, number, spcAuth };
        command.SetAction(parse => Inspect(CommandOutput.For(parse), parse.GetValue(file)!, parse.GetValue(trust), parse.GetValue(at), parse.GetValue(number), parse.GetValue(spcAuth)));
        return command;
    }

    private static int Inspect(CommandOutput output, string path, string? trustPath, string? atText, string? numberText, string? spcAuthPath)
    {
        // Arguments first: a usage mistake is reported before any file is read.
        TimeProvider time = TimeProvider.System;
        if (atText is not null)
        {
            if (!long.TryParse(atText, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                || seconds < -62135596800 || seconds > 253402300799)
            {
                return output.Fail(ExitCodes.Usage, $"--at '{atText}' is not a Unix time in seconds", "e.g. --at 1767225600");
            }

            time = new FixedTimeProvider(DateTimeOffset.FromUnixTimeSeconds(seconds));
        }

        TelephoneNumber? tn = null;
        if (numberText is not null)
        {
            var ok = numberText.StartsWith('+')
                ? TelephoneNumber.TryParseE164(numberText, out tn, out var error)
                : TelephoneNumber.TryParseCanonical(numberText, out tn, out error);
            if (!ok)
            {
                return output.Fail(ExitCodes.Usage, error!.Message, "write the number as +<country code><number> or in canonical form");
            }
        }

        IReadOnlyList<X509Certificate2> chain;
        IReadOnlyList<X509Certificate2>? anchors = null;
        SpcAuthorization? spcAuthorization = null;
        try
        {
            chain = CertificateChain.LoadPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return output.Fail(ExitCodes.Failure, $"cannot read {path}: {e.Message}");
        }
        catch (CertificateFormatException e)
        {
            return output.Fail(ExitCodes.Invalid, e.Message, "the file must hold PEM CERTIFICATE blocks, end entity first");
        }

        try
        {
            if (trustPath is not null)
            {
                anchors = CertificateChain.LoadTrustAnchors(trustPath);
            }

            if (spcAuthPath is not null)
            {
                spcAuthorization = SpcAuthorization.Load(spcAuthPath);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return output.Fail(ExitCodes.Failure, $"cannot read {e.Message}");
        }
        catch (Exception e) when (e is CertificateFormatException or SpcAuthorizationFormatException)
        {
            return output.Fail(ExitCodes.Failure, e.Message, "fix the trust anchor or SPC authorization file");
        }

        var certificate = chain[0];
        var json = new JsonObject
        {
            ["file"] = path,
            ["certificates"] = chain.Count,
            ["subject"] = certificate.Subject,
            ["issuer"] = certificate.Issuer,
            ["notBefore"] = certificate.NotBefore.ToUniversalTime().ToString(TimeFormat, System.Globalization.CultureInfo.InvariantCulture),
            ["notAfter"] = certificate.NotAfter.ToUniversalTime().ToString(TimeFormat, System.Globalization.CultureInfo.InvariantCulture),
            ["key"] = KeyDescription(certificate),
        };
        var lines = new List<(string Label, string Text)>
        {
            ("file", chain.Count == 1 ? path : $"{path} ({chain.Count} certificates)"),
            ("subject", certificate.Subject),
            ("issuer", certificate.Issuer),
            ("valid", $"{json["notBefore"]} .. {json["notAfter"]}"),
            ("key", KeyDescription(certificate)),
        };
        var valid = true;

        TNAuthList? list = null;
        string? listError = null;
        try
        {
            list = TNAuthList.FromCertificate(certificate);
        }
        catch (TNAuthListFormatException e)
        {
            listError = e.Message;
            valid = false;
        }

        if (list is not null)
        {
            var findings = list.GetAtisFindings();
            var rangeFindings = list.GetRangeFindings();
            json["tnAuthList"] = new JsonObject
            {
                ["entries"] = new JsonArray([.. list.Entries.Select(Entry)]),
                ["atisFindings"] = new JsonArray([.. findings.Select(f => JsonValue.Create(f))]),
                ["rangeFindings"] = new JsonArray([.. rangeFindings.Select(f => JsonValue.Create(f))]),
            };
            lines.Add(("tnauthlist", list.ToString()));
            lines.Add(("atis", findings.Count == 0 ? "conforms to ATIS-1000080 (one SPC, [A-Z0-9]+)" : string.Join("; ", findings)));
            foreach (var finding in rangeFindings)
            {
                lines.Add(("range", finding));
            }
        }
        else
        {
            json["tnAuthList"] = new JsonObject { ["error"] = listError ?? "no TNAuthList extension" };
            lines.Add(("tnauthlist", listError is null ? "none (no TNAuthList extension: authorizes no number)" : $"does not decode: {listError} (authorizes no number)"));
        }

        try
        {
            if (JwtClaimConstraints.FromCertificate(certificate) is { } constraints)
            {
                json["claimConstraints"] = new JsonObject
                {
                    ["enhanced"] = constraints.IsEnhanced,
                    ["mustInclude"] = new JsonArray([.. constraints.MustInclude.Select(c => JsonValue.Create(c))]),
                    ["permittedValues"] = new JsonObject([.. constraints.PermittedValues.Select(p => KeyValuePair.Create(p.Claim, (JsonNode?)new JsonArray([.. p.Values.Select(v => JsonValue.Create(v))])))]),
                    ["mustExclude"] = new JsonArray([.. constraints.MustExclude.Select(c => JsonValue.Create(c))]),
                    ["ignored"] = constraints.ExcludesBaselineClaim,
                };
                lines.Add(("constraints", constraints.ExcludesBaselineClaim ? $"{constraints} (ignored: excludes a baseline claim, RFC 9118 §3)" : constraints.ToString()));
            }
        }
        catch (JwtClaimConstraintsFormatException e)
        {
            json["claimConstraints"] = new JsonObject { ["error"] = e.Message };
            lines.Add(("constraints", $"malformed: {e.Message}"));
            valid = false;
        }

        StirChainValidationResult? result = null;
        if (anchors is not null)
        {
            var validator = new StirChainValidator(anchors, new StirChainValidatorOptions { TimeProvider = time, SpcAuthorization = spcAuthorization, RequireTNAuthList = true });
            result = validator.Validate(chain);
            json["chain"] = new JsonObject { ["valid"] = result.IsValid, ["failure"] = result.Failure.ToString(), ["reason"] = result.Reason };
            lines.Add(("chain", result.IsValid ? result.Reason : $"INVALID ({result.Failure}): {result.Reason}"));
            valid &= result.IsValid;
        }
        else
        {
            json["chain"] = null;
            lines.Add(("chain", "not checked (pass --trust ANCHORS.pem)"));
        }

        if (tn is not null)
        {
            bool covered;
            string reason;
            if (list is null)
            {
                covered = false;
                reason = listError is null ? "the certificate has no TNAuthList: it authorizes no number" : $"the TNAuthList does not decode: it authorizes no number";
            }
            else
            {
                covered = list.Covers(tn, spcAuthorization, out reason);
            }

            json["number"] = new JsonObject { ["number"] = tn.Value, ["covered"] = covered, ["reason"] = reason };
            lines.Add(("number", $"{tn.Value}: {(covered ? "COVERED" : "NOT COVERED")}: {reason}"));
            valid &= covered;
        }

        json["valid"] = valid;
        return output.Result(valid ? ExitCodes.Success : ExitCodes.Invalid, json, w =>
        {
            foreach (var (label, text) in lines)
            {
                w.WriteLine($"{label + ":",-13}{text}");
            }
        });
    }

    private static JsonNode Entry(TNEntry entry) => entry switch
    {
        TNEntry.Spc spc => new JsonObject { ["spc"] = spc.Code.Value },
        TNEntry.Range range => new JsonObject { ["range"] = new JsonObject { ["start"] = range.Value.Start.Value, ["count"] = range.Value.Count } },
        TNEntry.One one => new JsonObject { ["one"] = one.Number.Value },
        _ => throw new InvalidOperationException("unknown TNEntry kind"),
    };

    private static string KeyDescription(X509Certificate2 certificate)
    {
        using var ec = certificate.GetECDsaPublicKey();
        if (ec is null)
        {
            return certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value ?? "unknown";
        }

        var curve = ec.ExportParameters(false).Curve.Oid;
        var name = curve.Value == "1.2.840.10045.3.1.7" ? "P-256" : curve.FriendlyName ?? curve.Value;
        return $"ECDSA {name} ({ec.KeySize} bits)";
    }

    /// <summary>The clock for `--at`: validation at a chosen instant.</summary>
    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
