namespace Stir.Encrypted.CpsService.Storage;

/// <summary>
/// A real blob in a slot of a bucket: its bytes (<c>enc ‖ ct</c>, opaque to the CPS) and its life
/// [<see cref="StartUnixMs"/>, <see cref="EndUnixMs"/>). The store never returns it at or after its end.
/// </summary>
internal sealed record StoredBlob(int Slot, long StartUnixMs, long EndUnixMs, ReadOnlyMemory<byte> Content)
{
    public SlotEvent Event => new(Slot, StartUnixMs, EndUnixMs);
}
