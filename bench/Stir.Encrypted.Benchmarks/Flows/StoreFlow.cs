using Stir.Encrypted.Cps;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Passports;

namespace Stir.Encrypted.Benchmarks.Flows;

/// <summary>
/// The caller's crypto per call (spec/protocol.md §1): sign one PASSporT, pad it into the default class, seal it
/// to each of <see cref="Samples.Holders"/> key holders. The index comes from a warm cache (one HMAC) and the
/// HTTP request is not made: this is the part `openssl speed` can bound (1 ECDSA sign + 2 X25519 per holder).
/// </summary>
internal sealed class StoreFlow : IFlow
{
    private readonly CpsConfiguration _configuration = Samples.Configuration(Samples.DefaultBlobSize);
    private readonly PassportSigningKey _signingKey = PassportSigningKey.Generate();
    private readonly PassportSigner _signer;
    private readonly PassportBuilder _builder = Samples.Passport();
    private readonly BlobIndex _index;
    private readonly HpkePublicKey[] _holders;

    public StoreFlow(BlobIndex index, HpkePublicKey[] holders)
    {
        _signer = new PassportSigner(_signingKey, Samples.Clock);
        _index = index;
        _holders = holders;
    }

    public void RunOnce()
    {
        var passport = _builder.Sign(_signer);
        var blobs = BlobSealer.Seal(_configuration, _index, [passport.Token], _holders);
        if (blobs.Count != _holders.Length || blobs[0].Length != Samples.DefaultBlobSize)
        {
            throw new InvalidOperationException("the store flow did not produce one default-class blob per holder");
        }
    }

    public void Dispose() => _signingKey.Dispose();
}
