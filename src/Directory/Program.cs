// The credential directory. Program.cs is the table of contents; each feature maps its endpoints from its
// own XxxEndpoints class.
using Stir.Encrypted.DirectoryService;

var app = DirectoryApplication.Build(args);
app.Run();
