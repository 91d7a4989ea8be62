namespace Stir.Encrypted.CpsService.Endpoints;

/// <summary>The body of a successful store (spec/protocol.md §8): how many blobs were stored and the guaranteed retention.</summary>
internal sealed record StoreReceipt(int Stored, int MinRetentionSeconds);
