namespace Stir.Encrypted.CpsService.Storage.LiteDb;

/// <summary>
/// Where and when a sealed blob lives, and the period whose key sealed it: the associated data of
/// <see cref="BlobAtRestCipher"/>, so that sealed bytes moved to another bucket, slot or life no longer open.
/// </summary>
internal readonly record struct BlobPlace(BucketKey Bucket, int Slot, long StartUnixMs, long EndUnixMs, long Period);
