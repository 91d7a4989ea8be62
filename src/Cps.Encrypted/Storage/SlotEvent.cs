namespace Stir.Encrypted.CpsService.Storage;

/// <summary>
/// That a real blob occupied <see cref="Slot"/> during [<see cref="StartUnixMs"/>, <see cref="EndUnixMs"/>).
/// Times only, no content: kept until the bucket's epoch is over because the cover blobs of the slot
/// (spec/protocol.md §9) are computed from them, so that every node and every restart shows the same decoys.
/// </summary>
internal readonly record struct SlotEvent(int Slot, long StartUnixMs, long EndUnixMs);
