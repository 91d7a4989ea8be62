using LiteDB;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.LiteDb;

namespace Stir.Encrypted.Cps.Tests.Storage;

/// <summary>The stored bucket document: round trip, and a table of malformed documents with the error each gives.</summary>
public sealed class BucketDocumentTests
{
    private const string File = "/data/cps/epoch-500000.db";
    private static readonly BucketKey Key = new(500_000, 2048, 0x3f1);

    [Fact]
    public void ToBson_ThenFromBson_RoundTrips()
    {
        var document = Sample();

        var parsed = BucketDocument.FromBson(Reserialize(document.ToBson()), File);

        Assert.Equal(Key, parsed.Key);
        Assert.Equal("500000/2048/3f1", parsed.Id);
        Assert.Equal(3, parsed.Version);
        Assert.Equal(1_800_003_665_000, parsed.ExpiresUnixMs);
        Assert.Equal(document.Events, parsed.Events);
        Assert.Equal(document.Blobs.Select(b => (b.Slot, b.StartUnixMs, b.EndUnixMs, b.Period)), parsed.Blobs.Select(b => (b.Slot, b.StartUnixMs, b.EndUnixMs, b.Period)));
        Assert.Equal(document.Blobs[0].Sealed, parsed.Blobs[0].Sealed);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "no _id", "a bucket document has no string \"_id\"" },
        { "_id not canonical", "bucket document \"500000/2048/03F1\": \"_id\" is not of the form <epoch>/<size>/<bucket-hex>" },
        { "_id with two parts", "bucket document \"500000/3f1\": \"_id\" is not of the form <epoch>/<size>/<bucket-hex>" },
        { "extra field", "bucket document \"500000/2048/3f1\": unexpected field \"zz\"" },
        { "v missing", "bucket document \"500000/2048/3f1\": \"v\" is missing or not a 64-bit integer" },
        { "v is int32", "bucket document \"500000/2048/3f1\": \"v\" is missing or not a 64-bit integer" },
        { "v is zero", "bucket document \"500000/2048/3f1\": \"v\" is 0, expected at least 1" },
        { "x is string", "bucket document \"500000/2048/3f1\": \"x\" is missing or not a 64-bit integer" },
        { "ev is array", "bucket document \"500000/2048/3f1\": \"ev\" is missing or not binary" },
        { "ev of 19 bytes", "bucket document \"500000/2048/3f1\": \"ev\" is 19 bytes, not a multiple of 20" },
        { "bl missing", "bucket document \"500000/2048/3f1\": \"bl\" is missing or not an array" },
        { "bl entry not a document", "bucket document \"500000/2048/3f1\": an entry of \"bl\" is not a document" },
        { "bl.s is int64", "bucket document \"500000/2048/3f1\": \"bl.s\" is missing or not a 32-bit integer" },
        { "bl.e missing", "bucket document \"500000/2048/3f1\": \"bl.e\" is missing or not a 64-bit integer" },
        { "bl.c is string", "bucket document \"500000/2048/3f1\": \"bl.c\" is missing or not binary" },
        { "bl extra field", "bucket document \"500000/2048/3f1\": unexpected field \"q\"" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void FromBson_OfMalformedDocument_ThrowsNamingFileDocumentAndField(string malformation, string problem)
    {
        var bson = Sample().ToBson();
        var blob = bson["bl"].AsArray[0].AsDocument;
        switch (malformation)
        {
            case "no _id": bson.Remove("_id"); break;
            case "_id not canonical": bson["_id"] = "500000/2048/03F1"; break;
            case "_id with two parts": bson["_id"] = "500000/3f1"; break;
            case "extra field": bson["zz"] = 1; break;
            case "v missing": bson.Remove("v"); break;
            case "v is int32": bson["v"] = 3; break;
            case "v is zero": bson["v"] = 0L; break;
            case "x is string": bson["x"] = "soon"; break;
            case "ev is array": bson["ev"] = new BsonArray(); break;
            case "ev of 19 bytes": bson["ev"] = new byte[19]; break;
            case "bl missing": bson.Remove("bl"); break;
            case "bl entry not a document": bson["bl"].AsArray.Add(1); break;
            case "bl.s is int64": blob["s"] = 4L; break;
            case "bl.e missing": blob.Remove("e"); break;
            case "bl.c is string": blob["c"] = "sealed"; break;
            case "bl extra field": blob["q"] = true; break;
            default: throw new InvalidOperationException($"Unknown malformation {malformation}");
        }

        var exception = Assert.Throws<CorruptStoreFileException>(() => BucketDocument.FromBson(Reserialize(bson), File));

        Assert.Equal(File, exception.FilePath);
        Assert.Equal($"Store file \"{File}\": {problem}", exception.Message);
    }

    private static BucketDocument Sample() => new(
        Key,
        3,
        1_800_003_665_000,
        [new SlotEvent(4, 1_800_000_000_000, 1_800_000_030_000), new SlotEvent(0, 1_800_000_001_000, 1_800_000_041_000)],
        [new SealedBlobEntry(4, 1_800_000_000_000, 1_800_000_030_000, 180_000_002, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])]);

    /// <summary>Through BSON bytes and back, as LiteDB stores and returns it.</summary>
    private static BsonDocument Reserialize(BsonDocument document) => BsonSerializer.Deserialize(BsonSerializer.Serialize(document));
}
