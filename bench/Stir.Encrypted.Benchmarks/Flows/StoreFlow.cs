using Stir.Encrypted.Cps;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Passports;

namespace Stir.Encrypted.Benchmarks.Flows;

/// <summary>
/// The caller's crypto per call (spec/protocol.md §1): sign one PASSporT, derive the call's index from the warm
/// destination-key cache (one HMAC, spec/protocol.md §5), pad the PASSporT into the default class and seal one blob
/// to all <see cref="Samples.Holders"/> key holders (§4). The HTTP request is not made: this is the part
/// `openssl speed` can bound (1 ECDSA sign + 1 X25519 for the ephemeral key + 1 per holder).
/// </summary>
internal sealed class StoreFlow : IFlow
{
    private readonly CpsConfiguration _configuration = Samples.Configuration(Samples.DefaultBlobSize);
    private readonly PassportSigningKey _signingKey = PassportSigningKey.Generate();
    private readonly PassportSigner _signer;
    private readonly PassportBuilder _builder = Samples.Passport();
    private readonly DestinationKeyCache _cache;
    private readonly HpkePublicKey[] _holders;

    public StoreFlow(DestinationKeyCache cache, HpkePublicKey[] holders)
    {
        _signer = new PassportSigner(_signingKey, Samples.Clock);
        _cache = cache;
        _holders = holders;
    }

    public void RunOnce()
    {
        var passport = _builder.Sign(_signer);
        var index = _cache.Derive(Samples.Orig, Samples.Dest, Samples.Epoch);
        var blobs = BlobSealer.Seal(_configuration, index, [passport.Token], _holders);
        if (blobs.Count != 1 || blobs[0].Length != Samples.DefaultBlobSize)
        {
            throw new InvalidOperationException("the store flow did not produce one default-class blob for every holder");
        }
    }

    public void Dispose() => _signingKey.Dispose();
}
