// The credential directory. Program.cs is the table of contents; each feature maps its endpoints from its
// own XxxEndpoints class.
using Stir.Encrypted.DirectoryService;

var app = DirectoryApplication.Build(args);
app.Run();

/// <summary>The entry point, visible so that tests can host the service with WebApplicationFactory.</summary>
public partial class Program;
