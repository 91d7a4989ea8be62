using System.Text.Json;

namespace Stir.Encrypted.Tests.Support;

/// <summary>Finds the external vectors copied under Vectors/ (see Vectors/NOTICE.md).</summary>
internal static class VectorFiles
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "Vectors");

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static string ReadText(string relative) => File.ReadAllText(PathOf(relative));

    public static JsonDocument ReadJson(string relative) => JsonDocument.Parse(File.ReadAllBytes(PathOf(relative)));
}
