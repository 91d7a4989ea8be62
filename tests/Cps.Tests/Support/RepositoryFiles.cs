namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>Files of the repository (spec/), found from the test binaries by walking up to the solution.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Stir.Encrypted.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Stir.Encrypted.sln above {AppContext.BaseDirectory}");
    }
}
