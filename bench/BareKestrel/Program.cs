// The ceiling for bench/load/run: the CPS's and the directory's routes answered with no work beyond HTTP.
//   POST /v1/epochs/{epoch}/buckets/{bucket}  reads the whole body (bounded as the CPS bounds it), answers 201
//                                             with a receipt of the CPS's shape
//   GET  /v1/epochs/{epoch}/buckets/{bucket}  answers Bare:RetrieveBytes bytes (the CPS's slots × size)
//   GET  /v1/buckets/{bucket}                 answers Bare:DirectoryBytes bytes (the directory's padded bucket)
// The bytes are random and fixed at start: the same payload sizes, none of the work.
using System.Security.Cryptography;

var builder = WebApplication.CreateSlimBuilder(args);
// The slim builder leaves out Kestrel's HTTPS configuration; bench/load/run's TLS part gives an https:// URL and
// the certificate as Kestrel:Certificates:Default:Path/KeyPath, which this reads.
builder.WebHost.UseKestrelHttpsConfiguration();
builder.Logging.ClearProviders();
var retrieveBytes = RandomNumberGenerator.GetBytes(builder.Configuration.GetValue("Bare:RetrieveBytes", 2048 * 16));
var directoryBytes = RandomNumberGenerator.GetBytes(builder.Configuration.GetValue("Bare:DirectoryBytes", 65536));
var maxBody = builder.Configuration.GetValue("Bare:MaxBodyBytes", 8 * 65536);
var receipt = "{\"stored\":1,\"minRetentionSeconds\":20}"u8.ToArray();

var app = builder.Build();
app.MapPost("/v1/epochs/{epoch}/buckets/{bucket}", async (HttpContext context) =>
{
    var buffer = new byte[Math.Min(context.Request.ContentLength ?? 65536, maxBody) + 1];
    var length = 0;
    int read;
    while ((read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted)) > 0)
    {
        length += read;
        if (length == buffer.Length)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }
    }

    context.Response.StatusCode = StatusCodes.Status201Created;
    context.Response.ContentType = "application/json";
    await context.Response.Body.WriteAsync(receipt, context.RequestAborted);
});
app.MapGet("/v1/epochs/{epoch}/buckets/{bucket}", (HttpContext context) => Bytes(context, retrieveBytes, "application/octet-stream"));
app.MapGet("/v1/buckets/{bucket}", (HttpContext context) => Bytes(context, directoryBytes, "application/json"));
app.Run();

static Task Bytes(HttpContext context, byte[] body, string contentType)
{
    context.Response.ContentType = contentType;
    context.Response.Headers.CacheControl = "no-store";
    context.Response.ContentLength = body.Length;
    return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
}
