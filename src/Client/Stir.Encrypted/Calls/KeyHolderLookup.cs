using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Calls;

/// <summary>The verified keys of a called number's holders, and where they came from in one line (for the caller's report).</summary>
public sealed class KeyHolderLookup
{
    /// <summary>Creates a lookup result.</summary>
    public KeyHolderLookup(IReadOnlyList<HpkePublicKey> keys, string source)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(source);
        Keys = keys;
        Source = source;
    }

    /// <summary>The keys to encrypt to; empty when the number has no key holder.</summary>
    public IReadOnlyList<HpkePublicKey> Keys { get; }

    /// <summary>Where the keys came from, e.g. <c>directory</c> or <c>cache, 90 s old (the directory did not answer: ...)</c>.</summary>
    public string Source { get; }
}
