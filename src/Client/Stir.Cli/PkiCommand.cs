using System.CommandLine;
using System.Text.Json.Nodes;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cli;

/// <summary>
/// `stir pki`: a development PKI for STIR on disk: `init` (root + intermediate), `issue` (end-entity
/// certificates with a TNAuthList), `delegate` (RFC 9060 delegate CAs). Not for production.
/// </summary>
internal static class PkiCommand
{
    public static Command Create()
    {
        var command = new Command("pki", "A DEVELOPMENT PKI for STIR certificates (not for production)");
        command.Subcommands.Add(CreateInit());
        command.Subcommands.Add(CreateIssue("issue", "Issue an end-entity certificate (signs PASSporTs) with a TNAuthList", delegateCa: false));
        command.Subcommands.Add(CreateIssue("delegate", "Issue an RFC 9060 delegate CA certificate with a TNAuthList", delegateCa: true));
        return command;
    }

    private static Option<string> DirOption() => new("--dir") { Description = "The PKI directory", Required = true };

    private static Command CreateInit()
    {
        var dir = DirOption();
        var force = new Option<bool>("--force") { Description = "Replace an existing PKI in the directory" };
        var command = new Command("init", "Create a development root CA and intermediate CA") { dir, force };
        command.SetAction(parse =>
        {
            var output = CommandOutput.For(parse);
            var directory = parse.GetValue(dir)!;
            if (File.Exists(Path.Combine(directory, $"{DevelopmentPki.RootName}.pem")) && !parse.GetValue(force))
            {
                return output.Fail(ExitCodes.Usage, $"{directory} already holds a PKI", "pass --force to replace it, or choose another --dir");
            }

            using var pki = DevelopmentPki.Create();
            try
            {
                pki.Save(directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return output.Fail(ExitCodes.Failure, $"cannot write {directory}: {e.Message}");
            }

            var anchor = Path.Combine(directory, $"{DevelopmentPki.RootName}.pem");
            return output.Result(
                ExitCodes.Success,
                new JsonObject
                {
                    ["directory"] = directory,
                    ["root"] = Describe(pki.Root, directory, DevelopmentPki.RootName),
                    ["intermediate"] = Describe(pki.Intermediate, directory, DevelopmentPki.IntermediateName),
                    ["trustAnchor"] = anchor,
                },
                w =>
                {
                    w.WriteLine($"root:         {pki.Root.Certificate.Subject} (until {pki.Root.Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd})");
                    w.WriteLine($"intermediate: {pki.Intermediate.Certificate.Subject} (until {pki.Intermediate.Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd})");
                    w.WriteLine($"trust anchor: {anchor}");
                });
        });
        return command;
    }

    private static Command CreateIssue(string verb, string description, bool delegateCa)
    {
        var dir = DirOption();
        var name = new Option<string>("--name") { Description = "Name of the certificate (files NAME.pem, NAME.chain.pem, NAME.key.pem)", Required = true };
        var spc = new Option<string[]>("--spc") { Description = "A service provider code to authorize (repeatable)", AllowMultipleArgumentsPerToken = false };
        var tn = new Option<string[]>("--tn") { Description = "A number to authorize, +E.164 or canonical (repeatable)" };
        var range = new Option<string[]>("--range") { Description = "A range start+count to authorize, e.g. 12025550100+100 (repeatable)" };
        var days = new Option<int>("--days") { Description = "Validity in days", DefaultValueFactory = _ => delegateCa ? 365 : 90 };
        var issuer = new Option<string>("--issuer") { Description = "Name of the issuing CA in the directory (a delegate CA, or the intermediate)", DefaultValueFactory = _ => DevelopmentPki.IntermediateName };
        var force = new Option<bool>("--force") { Description = "Replace existing files of that name" };
        var command = new Command(verb, description) { dir, name, spc, tn, range, days, issuer, force };
        command.SetAction(parse =>
        {
            var output = CommandOutput.For(parse);
            var directory = parse.GetValue(dir)!;
            var certName = parse.GetValue(name)!;
            if (certName is DevelopmentPki.RootName or DevelopmentPki.IntermediateName || !IsFileName(certName))
            {
                return output.Fail(ExitCodes.Usage, $"--name '{certName}' is not usable", "use letters, digits, '.', '_' or '-', and not 'root' or 'intermediate'");
            }

            if (parse.GetValue(days) <= 0)
            {
                return output.Fail(ExitCodes.Usage, "--days must be at least 1");
            }

            TNAuthList list;
            try
            {
                list = BuildList(parse.GetValue(spc) ?? [], parse.GetValue(tn) ?? [], parse.GetValue(range) ?? []);
            }
            catch (TelephoneNumberFormatException e)
            {
                return output.Fail(ExitCodes.Usage, e.Message, "numbers are +E.164 (+12025550123) or canonical (12025550123); ranges are start+count");
            }
            catch (ArgumentException)
            {
                return output.Fail(ExitCodes.Usage, "a TNAuthList needs at least one entry", "pass --spc, --tn or --range");
            }

            if (File.Exists(Path.Combine(directory, $"{certName}.pem")) && !parse.GetValue(force))
            {
                return output.Fail(ExitCodes.Usage, $"{Path.Combine(directory, certName + ".pem")} exists", "pass --force to replace it, or choose another --name");
            }

            var issuerName = parse.GetValue(issuer)!;
            DevelopmentCredential ca;
            try
            {
                ca = DevelopmentCredential.Load(directory, issuerName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return output.Fail(ExitCodes.Failure, $"cannot read issuer '{issuerName}' in {directory}: {e.Message}", "run `stir pki init --dir DIR` first, or check --issuer");
            }
            catch (Exception e) when (e is CertificateFormatException or ArgumentException)
            {
                return output.Fail(ExitCodes.Failure, e.Message);
            }

            using (ca)
            {
                if (!ca.IsCertificateAuthority)
                {
                    return output.Fail(ExitCodes.Usage, $"issuer '{issuerName}' is not a CA", "issue from the intermediate or a delegate CA");
                }

                // RFC 9060 §8: a CA validates that a delegate's scope is encompassed by its own before issuing.
                if (ca.TNAuthList is { } scope && !scope.Encompasses(list, null, out var why))
                {
                    return output.Fail(ExitCodes.Usage, $"the TNAuthList is outside issuer '{issuerName}''s scope: {why}", "issue a subset of the issuer's TNAuthList (RFC 9060 §4)");
                }

                DevelopmentCredential issued;
                try
                {
                    var validity = TimeSpan.FromDays(parse.GetValue(days));
                    issued = delegateCa ? ca.IssueDelegateCa(certName, list, validity) : ca.IssueEndEntity(certName, list, validity);
                }
                catch (ArgumentOutOfRangeException e)
                {
                    return output.Fail(ExitCodes.Usage, e.Message.Split(" (Parameter", 2)[0], "pass a smaller --days");
                }

                using (issued)
                {
                    try
                    {
                        issued.Save(directory, certName);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        return output.Fail(ExitCodes.Failure, $"cannot write {directory}: {e.Message}");
                    }

                    var json = Describe(issued, directory, certName);
                    json["tnAuthList"] = new JsonArray([.. list.Entries.Select(e => JsonValue.Create(e.ToString()))]);
                    return output.Result(ExitCodes.Success, json, w =>
                    {
                        w.WriteLine($"subject:     {issued.Certificate.Subject}");
                        w.WriteLine($"issuer:      {issued.Certificate.Issuer}");
                        w.WriteLine($"valid until: {issued.Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd'T'HH:mm:ss'Z'}");
                        w.WriteLine($"tnauthlist:  {list}");
                        w.WriteLine($"certificate: {Path.Combine(directory, certName + ".pem")}");
                        w.WriteLine($"chain (x5u): {Path.Combine(directory, certName + ".chain.pem")}");
                        w.WriteLine($"private key: {Path.Combine(directory, certName + ".key.pem")}");
                    });
                }
            }
        });
        return command;
    }

    private static TNAuthList BuildList(string[] spcs, string[] numbers, string[] ranges)
    {
        var entries = new List<TNEntry>();
        foreach (var spc in spcs)
        {
            entries.Add(new TNEntry.Spc(new ServiceProviderCode(spc)));
        }

        foreach (var number in numbers)
        {
            entries.Add(new TNEntry.One(number.StartsWith('+') ? TelephoneNumber.ParseE164(number) : TelephoneNumber.ParseCanonical(number)));
        }

        foreach (var range in ranges)
        {
            entries.Add(new TNEntry.Range(TelephoneNumberRange.Parse(range)));
        }

        return new TNAuthList(entries);
    }

    private static JsonObject Describe(DevelopmentCredential credential, string directory, string name) => new()
    {
        ["subject"] = credential.Certificate.Subject,
        ["issuer"] = credential.Certificate.Issuer,
        ["notBefore"] = credential.Certificate.NotBefore.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        ["notAfter"] = credential.Certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        ["certificate"] = Path.Combine(directory, $"{name}.pem"),
        ["chain"] = Path.Combine(directory, $"{name}.chain.pem"),
        ["privateKey"] = Path.Combine(directory, $"{name}.key.pem"),
    };

    private static bool IsFileName(string name) =>
        name.Length is > 0 and <= 64 && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
