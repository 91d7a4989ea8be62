using System.CommandLine;
using System.Text.Json.Nodes;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cli;

/// <summary>`stir number`: how the system reads a telephone number (canonical form, ENUM domain).</summary>
internal static class NumberCommand
{
    public static Command Create()
    {
        var number = new Argument<string>("number") { Description = "An E.164 number, e.g. \"+1 202 555 0123\"" };
        var apex = new Option<string>("--enum-apex") { Description = "ENUM apex", DefaultValueFactory = _ => TelephoneNumber.DefaultEnumApex };
        var command = new Command("number", "Show the canonical form and ENUM domain of a number") { number, apex };
        command.SetAction(parse =>
        {
            var output = CommandOutput.For(parse);
            if (!TelephoneNumber.TryParseE164(parse.GetValue(number)!, out var tn, out var error))
            {
                return output.Fail(ExitCodes.Usage, error.Message, "write the number as +<country code><number>, e.g. +12025550123");
            }

            var domain = tn.ToEnumDomain(parse.GetValue(apex)!);
            return output.Result(
                ExitCodes.Success,
                new JsonObject { ["canonical"] = tn.Value, ["e164"] = tn.ToE164(), ["enumDomain"] = domain },
                w =>
                {
                    w.WriteLine($"canonical: {tn.Value}");
                    w.WriteLine($"e164:      {tn.ToE164()}");
                    w.WriteLine($"enum:      {domain}");
                });
        });
        return command;
    }
}
