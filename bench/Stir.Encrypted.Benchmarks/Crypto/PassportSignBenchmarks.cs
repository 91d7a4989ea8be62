using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Stir.Encrypted.Passports;

namespace Stir.Encrypted.Benchmarks.Crypto;

/// <summary>
/// Signing a PASSporT (<see cref="PassportSigner.Sign"/>: canonical JSON, base64url, ES256, and the parse-back
/// that guarantees verifiers accept it) against one bare <see cref="ECDsa.SignData(byte[], HashAlgorithmName, DSASignatureFormat)"/>
/// (P-256, SHA-256, IEEE P1363) over the same signing input. <see cref="BuildAndSign"/> adds what the store
/// flow also does per call: building the header and claims.
/// </summary>
[MemoryDiagnoser]
public class PassportSignBenchmarks
{
    private PassportSigningKey _key = null!;
    private PassportSigner _signer = null!;
    private ECDsa _ecdsa = null!;
    private PassportBuilder _builder = null!;
    private PassportHeader _header = null!;
    private PassportClaims _claims = null!;
    private byte[] _signingInput = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _key = PassportSigningKey.FromECDsa(_ecdsa);
        _signer = new PassportSigner(_key, Samples.Clock);
        _builder = Samples.Passport();
        _header = _builder.BuildHeader();
        _claims = _builder.BuildClaims(Samples.Clock);
        var token = _signer.Sign(_header, _claims).Token;
        _signingInput = Encoding.ASCII.GetBytes(token[..token.LastIndexOf('.')]);
        using var publicKey = _key.ExportPublicKey();
        Samples.Require(Passport.Parse(token).VerifySignature(publicKey), "the PASSporT verifies");
        Samples.Require(publicKey.VerifyData(_signingInput, EcdsaSignData(), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation), "the baseline signs the same key");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _key.Dispose();
        _ecdsa.Dispose();
    }

    [Benchmark(Baseline = true)]
    public byte[] EcdsaSignData() =>
        _ecdsa.SignData(_signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark]
    public Passport Sign() => _signer.Sign(_header, _claims);

    [Benchmark]
    public Passport BuildAndSign() => _builder.Sign(_signer);
}
