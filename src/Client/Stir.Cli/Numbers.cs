using System.Diagnostics.CodeAnalysis;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cli;

/// <summary>Reads a telephone number option, failing with the usage hint every command gives.</summary>
internal static class Numbers
{
    public static bool TryParse(CommandOutput output, string? text, string option, [NotNullWhen(true)] out TelephoneNumber? number, out int failed)
    {
        failed = 0;
        number = null;
        if (text is null)
        {
            failed = output.Fail(ExitCodes.Usage, $"{option} is required", "write the number as +<country code><number>, e.g. +12025550123");
            return false;
        }

        if (!TelephoneNumber.TryParseE164(text, out number, out var error))
        {
            failed = output.Fail(ExitCodes.Usage, $"{option}: {error.Message}", "write the number as +<country code><number>, e.g. +12025550123");
            return false;
        }

        return true;
    }
}
