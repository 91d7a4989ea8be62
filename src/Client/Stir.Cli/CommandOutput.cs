using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stir.Encrypted.Cli;

/// <summary>
/// Writes a command's result in the chosen <see cref="OutputFormat"/> and maps outcomes to
/// <see cref="ExitCodes"/>. With <c>--output json</c>, standard output holds exactly one JSON object,
/// errors included (<c>{"error":{"cause":...,"hint":...}}</c>), so scripts never parse prose.
/// </summary>
internal sealed class CommandOutput
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private CommandOutput(ParseResult parse, OutputFormat format)
    {
        Out = parse.InvocationConfiguration.Output;
        Error = parse.InvocationConfiguration.Error;
        Format = format;
    }

    /// <summary>The option every command takes.</summary>
    public static Option<OutputFormat> Option { get; } = new("--output", "-o")
    {
        Description = "Output format: text (for people) or json (one JSON document on stdout, for scripts)",
        DefaultValueFactory = _ => OutputFormat.Text,
        Recursive = true,
    };

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public OutputFormat Format { get; }

    public bool IsJson => Format == OutputFormat.Json;

    public static CommandOutput For(ParseResult parse) => new(parse, parse.GetValue(Option));

    /// <summary>Writes a result: <paramref name="json"/> for scripts, <paramref name="text"/> for people.</summary>
    public int Result(int exitCode, JsonObject json, Action<TextWriter> text)
    {
        if (IsJson)
        {
            Out.WriteLine(json.ToJsonString(JsonOptions));
        }
        else
        {
            text(Out);
        }

        return exitCode;
    }

    /// <summary>Reports that there is no answer: a one-line cause, and a hint at what to do about it.</summary>
    public int Fail(int exitCode, string cause, string? hint = null)
    {
        if (IsJson)
        {
            var error = new JsonObject { ["cause"] = cause };
            if (hint is not null)
            {
                error["hint"] = hint;
            }

            Out.WriteLine(new JsonObject { ["error"] = error, ["exitCode"] = exitCode }.ToJsonString(JsonOptions));
        }
        else
        {
            Error.WriteLine($"error: {cause}");
            if (hint is not null)
            {
                Error.WriteLine($"hint: {hint}");
            }
        }

        return exitCode;
    }

    public static string ToJson(JsonNode node) => node.ToJsonString(JsonOptions);
}
