using System.Reflection;

namespace Stir.Encrypted.CpsService.Hosting;

/// <summary>
/// Whether this process is the build's OpenAPI generator (Microsoft.Extensions.ApiDescription.Server runs the
/// app inside <c>GetDocument.Insider</c> to read its endpoints). Then the app must not touch its store: there is
/// none at build time, and a build must never open or create a deployment's data.
/// </summary>
internal static class DocumentGeneration
{
    public static bool IsActive { get; } = Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";
}
