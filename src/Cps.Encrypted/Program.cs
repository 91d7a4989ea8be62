// The encrypted-blob Call Placement Service. CpsApplication.Build is the table of contents (the same app
// is hosted by `stir serve` and the tests); each feature maps its endpoints from its own XxxEndpoints class.
using Stir.Encrypted.CpsService;

var app = CpsApplication.Build(args);
app.Run();

/// <summary>The entry point, visible so that tests can host the service with WebApplicationFactory.</summary>
public partial class Program;
