using System.Buffers.Binary;

namespace Stir.Encrypted.CpsService.Storage.Redis;

/// <summary>
/// One slot event as the Redis store keeps it in a bucket's <c>e</c> field: fixed 32 bytes, little-endian
/// <c>slot:int32 ‖ start:int64 ‖ end:int64 ‖ version:int64 ‖ index:int32</c>. Version and index name the blob key
/// (<see cref="RedisBucketKeys.Blob"/>) that held the blob's bytes until its end.
/// </summary>
internal readonly record struct BucketEventRecord(SlotEvent Event, long Version, int Index)
{
    public const int Size = 32;

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, Event.Slot);
        BinaryPrimitives.WriteInt64LittleEndian(destination[4..], Event.StartUnixMs);
        BinaryPrimitives.WriteInt64LittleEndian(destination[12..], Event.EndUnixMs);
        BinaryPrimitives.WriteInt64LittleEndian(destination[20..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(destination[28..], Index);
    }

    /// <summary>Reads the records of an <c>e</c> field; false when its length is not a multiple of <see cref="Size"/>.</summary>
    public static bool TryReadAll(ReadOnlySpan<byte> source, out BucketEventRecord[] records)
    {
        if (source.Length % Size != 0)
        {
            records = [];
            return false;
        }
        records = new BucketEventRecord[source.Length / Size];
        for (var i = 0; i < records.Length; i++)
        {
            var record = source.Slice(i * Size, Size);
            records[i] = new BucketEventRecord(
                new SlotEvent(
                    BinaryPrimitives.ReadInt32LittleEndian(record),
                    BinaryPrimitives.ReadInt64LittleEndian(record[4..]),
                    BinaryPrimitives.ReadInt64LittleEndian(record[12..])),
                BinaryPrimitives.ReadInt64LittleEndian(record[20..]),
                BinaryPrimitives.ReadInt32LittleEndian(record[28..]));
        }
        return true;
    }
}
