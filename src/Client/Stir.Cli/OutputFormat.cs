namespace Stir.Encrypted.Cli;

/// <summary>How a command writes its result: for people, or as one JSON document for scripts.</summary>
internal enum OutputFormat
{
    Text,
    Json,
}
