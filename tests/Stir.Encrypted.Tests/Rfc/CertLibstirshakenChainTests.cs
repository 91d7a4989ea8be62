using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Rfc;

/// <summary>
/// libstirshaken's test PKI (certs/libstirshaken/): sp.pem chains to ca.pem (openssl verify OK), but its
/// TNAuthList is an IA5String URL, not an RFC 8226 TNAuthorizationList, so it authorizes no number.
/// </summary>
public sealed class CertLibstirshakenChainTests
{
    // Both certificates are valid from 2020-10-22 (sp) to 2047 (ca).
    private static readonly DateTimeOffset Within = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void SpChain_AtAValidTime_ValidatesButAuthorizesNoNumber()
    {
        var validator = Validator(Within, requireTNAuthList: false);

        var result = validator.Validate(Load("sp.pem"));

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(2, result.Certificate.Path.Count);
        Assert.Equal("CN=SignalWire STI-CA Test, C=US", result.Certificate.Path[1].Subject);
        Assert.Null(result.Certificate.TNAuthList);
        Assert.Contains("expected SEQUENCE (0x30), got 0x16", result.Certificate.TNAuthListError, StringComparison.Ordinal);
        Assert.False(result.Certificate.Covers(TelephoneNumber.ParseE164("+12025550123"), out var reason));
        Assert.Contains("authorizes no number", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SpChain_WithDefaultOptions_IsRejectedForItsTNAuthListOnly()
    {
        var result = Validator(Within).Validate(Load("sp.pem"));

        // The X.509 path is fine (the STIR rules run only after it validated); the list is what fails.
        Assert.Equal(StirChainFailure.TNAuthListMalformed, result.Failure);
        Assert.Contains("TNAuthorizationList: expected SEQUENCE (0x30), got 0x16", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SpChain_BeforeSpIsValid_IsNotYetValid()
    {
        var result = Validator(new DateTimeOffset(2020, 10, 22, 22, 14, 0, TimeSpan.Zero), requireTNAuthList: false).Validate(Load("sp.pem"));

        Assert.Equal(StirChainFailure.NotYetValid, result.Failure);
        Assert.Contains("valid from 2020-10-22T22:14:38Z, in 38 s", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongSp_IssuedByAnotherCa_MissesItsIntermediate()
    {
        var result = Validator(Within, requireTNAuthList: false).Validate(Load("wrongsp.pem"));

        Assert.Equal(StirChainFailure.MissingIntermediate, result.Failure);
        Assert.Contains("'CN=Wrong CA, C=US'", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SpChain_TrustingOnlyThePaRoot_IsNotTrusted()
    {
        var validator = new StirChainValidator(Load("pa.pem"), new StirChainValidatorOptions { TimeProvider = new FakeTimeProvider(Within), RequireTNAuthList = false });

        var result = validator.Validate([.. Load("sp.pem"), .. Load("ca.pem")]);

        Assert.Equal(StirChainFailure.UntrustedRoot, result.Failure);
        Assert.Contains("'CN=SignalWire STI-CA Test, C=US', which is not a configured trust anchor", result.Reason, StringComparison.Ordinal);
    }

    private static StirChainValidator Validator(DateTimeOffset at, bool requireTNAuthList = true) =>
        new(Load("ca.pem"), new StirChainValidatorOptions { TimeProvider = new FakeTimeProvider(at), RequireTNAuthList = requireTNAuthList });

    private static IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> Load(string name) =>
        CertificateChain.LoadPemFile(VectorFiles.PathOf($"certs/libstirshaken/{name}"));
}
