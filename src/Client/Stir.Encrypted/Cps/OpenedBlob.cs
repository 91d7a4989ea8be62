namespace Stir.Encrypted.Cps;

/// <summary>
/// A blob of a bucket that opened with one of the callee's keys: which blob, which key, and what was inside —
/// the PASSporTs, or why the plaintext is unusable (it was made for this callee, so that is the caller's fault
/// and worth reporting, unlike blobs that simply do not open).
/// </summary>
public sealed record OpenedBlob(int BlobIndex, int KeyIndex, IReadOnlyList<string> Passports, string? FormatError);
