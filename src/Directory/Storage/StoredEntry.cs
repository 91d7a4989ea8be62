namespace Stir.Encrypted.DirectoryService.Storage;

/// <summary>The current entry of one (holder, rid): the last accepted record or revocation, as stored.</summary>
/// <param name="Holder">base64url SHA-256 of the signer's SubjectPublicKeyInfo.</param>
/// <param name="Rid">The holder's record identifier.</param>
/// <param name="Seq">The entry's seq.</param>
/// <param name="IsRevocation">Whether the entry is a revocation.</param>
/// <param name="Token">The JWS exactly as published.</param>
/// <param name="ExpiresUnix">The record's <c>exp</c> (0 for a revocation).</param>
/// <param name="Version">The directory version at which it was accepted.</param>
internal sealed record StoredEntry(string Holder, string Rid, long Seq, bool IsRevocation, string Token, long ExpiresUnix, long Version)
{
    public string Key => Holder + "|" + Rid;

    /// <summary>Whether a lookup at <paramref name="nowUnix"/> returns it: a record whose exp has not passed.</summary>
    public bool IsServedAt(long nowUnix) => !IsRevocation && ExpiresUnix > nowUnix;
}
