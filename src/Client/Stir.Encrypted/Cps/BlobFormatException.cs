namespace Stir.Encrypted.Cps;

/// <summary>
/// A blob opened (it was made for this recipient) but what is inside is not a version-1 plaintext
/// (spec/protocol.md §6), or a CPS configuration document is malformed. The message names the field and
/// the rule broken.
/// </summary>
public sealed class BlobFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public BlobFormatException(string message)
        : base(message)
    {
    }
}
