using Stir.Encrypted.Cps;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Passports;

namespace Stir.Encrypted.Benchmarks.Flows;

/// <summary>
/// The caller's crypto per call (spec/protocol.md §1): sign one PASSporT, pad it into the default class, and for
/// each of <see cref="Samples.Holders"/> key holders derive that holder's index from the warm destination-key
/// cache (one HMAC, spec/protocol.md §5) and seal to it. The HTTP request is not made: this is the part
/// `openssl speed` can bound (1 ECDSA sign + 2 X25519 per holder).
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
        foreach (var holder in _holders)
        {
            var index = _cache.Derive(Samples.Orig, Samples.Dest, Samples.Epoch, holder);
            var blob = BlobSealer.Seal(_configuration, index, [passport.Token], holder);
            if (blob.Length != Samples.DefaultBlobSize)
            {
                throw new InvalidOperationException("the store flow did not produce a default-class blob");
            }
        }
    }

    public void Dispose() => _signingKey.Dispose();
}
