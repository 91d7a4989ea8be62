using Stir.Encrypted.Cps;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Passports;

namespace Stir.Encrypted.Benchmarks.Flows;

/// <summary>
/// The callee's crypto per call (spec/protocol.md §1): trial-open a retrieval of the default class (12 blobs of
/// 4096 bytes, one of them for this callee, the others decoys) and verify the PASSporT that opened with a static
/// key (no certificate chain): what `openssl speed` can bound as 12 X25519 + 1 ECDSA verify.
/// </summary>
internal sealed class RetrieveFlow : IFlow
{
    private readonly BlobIndex _index;
    private readonly HpkePrivateKey _key;
    private readonly IReadOnlyList<ReadOnlyMemory<byte>> _bucket;
    private readonly StaticKeyCredentialResolver _resolver;
    private readonly PassportVerifier _verifier;

    public RetrieveFlow(BlobIndex index, HpkePrivateKey key, int realSlot)
    {
        _index = index;
        _key = key;
        using var signingKey = PassportSigningKey.Generate();
        var token = Samples.Passport().Sign(new PassportSigner(signingKey, Samples.Clock)).Token;
        var real = BlobSealer.Seal(Samples.Configuration(Samples.DefaultBlobSize), index, [token], [key.PublicKey])[0];
        _bucket = [.. Enumerable.Range(0, Samples.DefaultSlots).Select(i => (ReadOnlyMemory<byte>)(i == realSlot ? real : Samples.Decoy(Samples.DefaultBlobSize)))];
        using var publicKey = signingKey.ExportPublicKey();
        _resolver = new StaticKeyCredentialResolver(publicKey);
        _verifier = new PassportVerifier(_resolver, timeProvider: Samples.Clock);
    }

    public void RunOnce()
    {
        var opened = BucketOpener.Open(_index, _bucket, _key);
        if (opened.Count != 1 || opened[0].FormatError is not null)
        {
            throw new InvalidOperationException("the retrieve flow did not open exactly its one blob");
        }

        var verdict = Samples.Completed(_verifier.VerifyAsync(opened[0].Passports[0], Samples.Dest, CancellationToken.None));
        if (!verdict.IsValid)
        {
            throw new InvalidOperationException($"the retrieve flow's PASSporT did not verify: {verdict.Rule}");
        }
    }

    public void Dispose() => _resolver.Dispose();
}
