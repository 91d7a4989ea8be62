namespace Stir.Encrypted.CpsService.Storage;

/// <summary>
/// One bucket of one size class in one epoch (spec/protocol.md §8–§9). Everything the CPS keeps is
/// filed under such a key; none of it is a number.
/// </summary>
internal readonly record struct BucketKey(ulong Epoch, int Size, uint Bucket)
{
    /// <summary>A stable text form for storage keys: <c>epoch/size/bucket-hex</c>.</summary>
    public override string ToString() => $"{Epoch}/{Size}/{Bucket:x}";
}
