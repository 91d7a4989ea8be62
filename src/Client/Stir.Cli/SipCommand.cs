using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Sip;

namespace Stir.Encrypted.Cli;

/// <summary>
/// `stir sip`: the SIP side of an out-of-band gateway (RFC 8816 §5.3, §5.4, §8.3). `lift` takes the
/// PASSporTs out of an INVITE; `insert` puts PASSporTs into a new one.
/// Exit codes: 0 everything lifted / inserted and the numbers match; 1 the INVITE or a PASSporT is
/// malformed, an Identity header field could not be lifted, a PASSporT could not be inserted, there was
/// nothing to lift, or orig/dest differ from the signaling (the output still says what was done);
/// 2 usage; 3 a file cannot be read or written.
/// </summary>
internal static class SipCommand
{
    public static Command Create()
    {
        var command = new Command("sip", "Lift PASSporTs out of a SIP INVITE, or insert them into one (RFC 8224 Identity, RFC 8816 gateways)");
        command.Subcommands.Add(CreateLift());
        command.Subcommands.Add(CreateInsert());
        return command;
    }

    private static Command CreateLift()
    {
        var input = new Argument<string>("invite") { Description = "A file holding the INVITE as received; - reads it from standard input" };
        var command = new Command("lift", "Print the caller, the callee and the PASSporTs of an INVITE's Identity header fields (compact forms rebuilt), with every problem") { input };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = CommandOutput.For(parse);
            var (bytes, readError) = await ReadAsync(parse.GetValue(input)!, cancellationToken);
            if (bytes is null)
            {
                return output.Fail(ExitCodes.Failure, readError!);
            }

            SipInvite invite;
            try
            {
                invite = SipInvite.Parse(bytes);
            }
            catch (SipFormatException e)
            {
                return output.Fail(ExitCodes.Invalid, $"the INVITE is malformed: {e.Message}");
            }

            var lifted = SipGateway.Lift(invite);
            var passports = new JsonArray();
            for (var i = 0; i < lifted.Passports.Count; i++)
            {
                var passport = lifted.Passports[i];
                var field = invite.IdentityHeaders[lifted.Sources[i] - 1];
                passports.Add(new JsonObject
                {
                    ["identity"] = lifted.Sources[i],
                    ["line"] = field.Line,
                    ["form"] = IsCompact(field.Value) ? "compact" : "full",
                    ["ppt"] = passport.Header.Ppt,
                    ["orig"] = passport.Claims.Orig.ToString(),
                    ["dest"] = passport.Claims.Dest.ToString(),
                    ["iat"] = passport.Claims.Iat,
                    ["token"] = passport.Token,
                });
            }

            var complete = lifted.Passports.Count > 0 && lifted.Problems.Count == 0 && lifted.NumberCheck.IsMatch;
            var json = new JsonObject
            {
                ["complete"] = complete,
                ["orig"] = Describe(lifted.Orig),
                ["dest"] = Describe(lifted.Dest),
                ["target"] = Describe(lifted.Target),
                ["identityHeaders"] = invite.IdentityHeaders.Count,
                ["passports"] = passports,
                ["problems"] = Problems(lifted.Problems),
                ["mismatches"] = new JsonArray(lifted.NumberCheck.Mismatches.Select(m => (JsonNode)m).ToArray()),
            };
            return output.Result(complete ? ExitCodes.Success : ExitCodes.Invalid, json, w =>
            {
                w.WriteLine($"orig:   {Describe(lifted.Orig, text: true)}");
                w.WriteLine($"dest:   {Describe(lifted.Dest, text: true)}");
                w.WriteLine($"target: {Describe(lifted.Target, text: true)}");
                if (invite.IdentityHeaders.Count == 0)
                {
                    w.WriteLine("no Identity header field");
                }

                foreach (var node in passports)
                {
                    var p = node!.AsObject();
                    w.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"passport (Identity #{p["identity"]}, line {p["line"]}, {p["form"]} form): ppt {p["ppt"]?.GetValue<string>() ?? "none"}, orig {p["orig"]}, dest {p["dest"]}, iat {p["iat"]}"));
                    w.WriteLine($"  {p["token"]}");
                }

                foreach (var problem in lifted.Problems)
                {
                    w.WriteLine($"problem: {problem}");
                }

                foreach (var mismatch in lifted.NumberCheck.Mismatches)
                {
                    w.WriteLine($"mismatch: {mismatch}");
                }
            });
        });
        return command;
    }

    private static Command CreateInsert()
    {
        var invite = new Option<string>("--invite") { Description = "A file holding the INVITE to use as template; - reads it from standard input", Required = true };
        var passports = new Option<string[]>("--passport")
        {
            Description = "A full-form PASSporT (or an Identity header value carrying one) to insert; repeatable",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var outFile = new Option<FileInfo?>("--out") { Description = "Write the new INVITE to this file instead of standard output" };
        var command = new Command("insert", "Write a new INVITE carrying the PASSporTs in Identity header fields (full form, ;info=<x5u>;alg=ES256;ppt)") { invite, passports, outFile };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = CommandOutput.For(parse);
            var list = new List<Passport>();
            var values = parse.GetValue(passports)!;
            for (var i = 0; i < values.Length; i++)
            {
                if (!TryPassport(values[i].Trim(), out var passport, out var problem))
                {
                    return output.Fail(ExitCodes.Invalid, $"--passport #{i + 1}: {problem}", "give each PASSporT in full form (header.claims.signature), as stored out of band");
                }

                list.Add(passport);
            }

            var (bytes, readError) = await ReadAsync(parse.GetValue(invite)!, cancellationToken);
            if (bytes is null)
            {
                return output.Fail(ExitCodes.Failure, $"--invite: {readError}");
            }

            SipInsertResult result;
            try
            {
                result = SipGateway.Insert(SipInvite.Parse(bytes), list);
            }
            catch (SipFormatException e)
            {
                return output.Fail(ExitCodes.Invalid, $"the INVITE is malformed: {e.Message}");
            }

            var target = parse.GetValue(outFile);
            if (target is not null)
            {
                try
                {
                    await File.WriteAllBytesAsync(target.FullName, result.Invite.ToBytes(), cancellationToken);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return output.Fail(ExitCodes.Failure, $"--out: cannot write {target.FullName}: {e.Message}");
                }
            }

            var complete = result.Skipped.Count == 0 && result.NumberCheck.IsMatch;
            var json = new JsonObject
            {
                ["complete"] = complete,
                ["identityHeaders"] = new JsonArray(result.IdentityValues.Select(v => (JsonNode)v).ToArray()),
                ["skipped"] = Problems(result.Skipped),
                ["mismatches"] = new JsonArray(result.NumberCheck.Mismatches.Select(m => (JsonNode)m).ToArray()),
            };
            if (target is null)
            {
                json["invite"] = result.Invite.ToString();
            }
            else
            {
                json["written"] = target.FullName;
            }

            return output.Result(complete ? ExitCodes.Success : ExitCodes.Invalid, json, w =>
            {
                foreach (var skipped in result.Skipped)
                {
                    output.Error.WriteLine($"skipped: {skipped}");
                }

                foreach (var mismatch in result.NumberCheck.Mismatches)
                {
                    output.Error.WriteLine($"mismatch: {mismatch}");
                }

                if (target is null)
                {
                    w.Write(result.Invite.ToString());
                }
                else
                {
                    w.WriteLine($"wrote {target.FullName}: {result.IdentityValues.Count} Identity header field(s) added");
                }
            });
        });
        return command;
    }

    private static bool TryPassport(string value, out Passport passport, out string problem)
    {
        passport = null!;
        var token = value;
        if (value.Contains(';', StringComparison.Ordinal) || value.StartsWith("Identity:", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                token = SipIdentityHeader.Parse(value).Token;
            }
            catch (PassportFormatException e)
            {
                problem = e.Message;
                return false;
            }
        }

        if (token.StartsWith("..", StringComparison.Ordinal))
        {
            problem = "a compact form (\"..signature\") cannot be inserted: the new INVITE's signaling would have to rebuild it (RFC 8816 §5.3 uses the full form)";
            return false;
        }

        if (!Passport.TryParse(token, out var parsed, out var error))
        {
            problem = error.Message;
            return false;
        }

        passport = parsed;
        problem = string.Empty;
        return true;
    }

    private static async Task<(byte[]? Bytes, string? Error)> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            if (path == "-")
            {
                using var stdin = Console.OpenStandardInput();
                using var buffer = new MemoryStream();
                await stdin.CopyToAsync(buffer, cancellationToken);
                return (buffer.ToArray(), null);
            }

            var info = new FileInfo(path);
            if (info.Exists && info.Length > SipParseLimits.DefaultMaxMessageBytes)
            {
                return (null, $"{info.FullName} is {info.Length} bytes, more than an INVITE may have ({SipParseLimits.DefaultMaxMessageBytes})");
            }

            return (await File.ReadAllBytesAsync(path, cancellationToken), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"cannot read {path}: {e.Message}");
        }
    }

    private static bool IsCompact(string identityValue) => identityValue.TrimStart().StartsWith("..", StringComparison.Ordinal);

    private static JsonObject Describe(SipCallIdentity identity)
    {
        var json = new JsonObject
        {
            ["header"] = identity.Header,
            ["line"] = identity.Line,
            ["uri"] = identity.Uri,
            ["identity"] = identity.Identity.ToString(),
        };
        if (identity.Number is not null)
        {
            json["tn"] = identity.Number.Value;
        }
        else
        {
            json["noNumberReason"] = identity.NoNumberReason;
        }

        return json;
    }

    private static string Describe(SipCallIdentity identity, bool text)
        => text && identity.Number is null ? $"{identity} ({identity.NoNumberReason})" : identity.ToString();

    private static JsonArray Problems(IEnumerable<SipIdentityProblem> problems)
        => new(problems.Select(p => (JsonNode)new JsonObject { ["index"] = p.Index, ["line"] = p.Line, ["message"] = p.Message }).ToArray());
}
