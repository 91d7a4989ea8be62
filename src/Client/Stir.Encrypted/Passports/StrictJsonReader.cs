using System.Text.Json;
using Stir.Encrypted.Jose;

namespace Stir.Encrypted.Passports;

/// <summary>
/// <see cref="StrictJson"/> for PASSporT parts: the same rules, reported as <see cref="PassportFormatException"/>
/// (nested PASSporTs and rebuilt compact forms parse their JSON through here).
/// </summary>
internal static class StrictJsonReader
{
    /// <summary>Parses <paramref name="json"/> as one object; the caller disposes the document.</summary>
    /// <exception cref="PassportFormatException">The JSON breaks a <see cref="StrictJson"/> rule; the message says which and where.</exception>
    public static JsonDocument ParseObject(ReadOnlyMemory<byte> json, PassportPart part)
    {
        var jwsPart = part switch
        {
            PassportPart.Header => JwsPart.Header,
            PassportPart.Claims => JwsPart.Payload,
            PassportPart.Signature => JwsPart.Signature,
            _ => JwsPart.Token,
        };
        try
        {
            return StrictJson.ParseObject(json, jwsPart);
        }
        catch (JwsFormatException e)
        {
            throw new PassportFormatException(part, e.Field, e.Reason);
        }
    }
}
