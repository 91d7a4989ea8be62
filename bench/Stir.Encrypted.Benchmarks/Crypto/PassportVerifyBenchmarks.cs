using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Stir.Encrypted.Passports;

namespace Stir.Encrypted.Benchmarks.Crypto;

/// <summary>
/// Verifying a PASSporT against one bare <see cref="ECDsa.VerifyData(byte[], byte[], HashAlgorithmName, DSASignatureFormat)"/>
/// over the same signing input: <see cref="Verify"/> is what a callee runs on a token it received
/// (<see cref="PassportVerifier"/> with a static key: strict parse, signature, freshness, authority, dest);
/// <see cref="VerifySignature"/> is the signature check alone on a parsed PASSporT.
/// </summary>
[MemoryDiagnoser]
public class PassportVerifyBenchmarks
{
    private ECDsa _publicKey = null!;
    private StaticKeyCredentialResolver _resolver = null!;
    private PassportVerifier _verifier = null!;
    private Passport _passport = null!;
    private string _token = null!;
    private byte[] _signingInput = null!;
    private byte[] _signature = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var key = PassportSigningKey.Generate();
        _passport = Samples.Passport().Sign(new PassportSigner(key, Samples.Clock));
        _token = _passport.Token;
        _signingInput = _passport.SigningInput.ToArray();
        _signature = _passport.Signature.ToArray();
        _publicKey = key.ExportPublicKey();
        _resolver = new StaticKeyCredentialResolver(_publicKey);
        _verifier = new PassportVerifier(_resolver, timeProvider: Samples.Clock);
        Samples.Require(EcdsaVerifyData() && VerifySignature() && Verify().IsValid, "the PASSporT verifies");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _resolver.Dispose();
        _publicKey.Dispose();
    }

    [Benchmark(Baseline = true)]
    public bool EcdsaVerifyData() =>
        _publicKey.VerifyData(_signingInput, _signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark]
    public bool VerifySignature() => _passport.VerifySignature(_publicKey);

    [Benchmark]
    public PassportVerdict Verify() => Samples.Completed(_verifier.VerifyAsync(_token, Samples.Dest, CancellationToken.None));
}
