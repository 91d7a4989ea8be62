namespace Stir.Encrypted.Cps;

/// <summary>
/// A blob of a bucket that opened with the callee's key: which blob, and what was inside —
/// the PASSporTs, or why the plaintext is unusable (it was made for this callee, so that is the caller's fault
/// and worth reporting, unlike blobs that simply do not open).
/// </summary>
public sealed record OpenedBlob(int BlobIndex, IReadOnlyList<string> Passports, string? FormatError);
