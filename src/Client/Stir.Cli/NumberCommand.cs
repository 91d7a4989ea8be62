using System.CommandLine;
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
            var output = parse.InvocationConfiguration.Output;
            if (!TelephoneNumber.TryParseE164(parse.GetValue(number)!, out var tn, out var error))
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {error.Message}");
                return 2;
            }

            output.WriteLine($"canonical: {tn.Value}");
            output.WriteLine($"e164:      {tn.ToE164()}");
            output.WriteLine($"enum:      {tn.ToEnumDomain(parse.GetValue(apex)!)}");
            return 0;
        });
        return command;
    }
}
