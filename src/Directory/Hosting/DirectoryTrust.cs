using Microsoft.Extensions.Options;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.DirectoryService.Configuration;
using Stir.Encrypted.KeyRecords;

namespace Stir.Encrypted.DirectoryService.Hosting;

/// <summary>
/// What the directory checks publications against: the operator's STI trust anchors and SPC authorization, read
/// once at start, and the key-record verifier clients run too, set for a directory (records may be published
/// ahead of their <c>nbf</c>; validity at most <see cref="DirectoryOptions.MaxValidityDays"/>).
/// </summary>
internal sealed class DirectoryTrust
{
    public DirectoryTrust(IOptions<DirectoryOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> anchors;
        try
        {
            anchors = CertificateChain.LoadTrustAnchors(settings.TrustAnchorsFile!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CertificateFormatException)
        {
            throw new InvalidOperationException($"Directory:TrustAnchorsFile cannot be used: {e.Message}", e);
        }

        SpcAuthorization? spc = null;
        if (!string.IsNullOrWhiteSpace(settings.SpcAuthorizationFile))
        {
            try
            {
                spc = SpcAuthorization.Load(settings.SpcAuthorizationFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or SpcAuthorizationFormatException)
            {
                throw new InvalidOperationException($"Directory:SpcAuthorizationFile cannot be used: {e.Message}", e);
            }
        }

        Verifier = new KeyRecordVerifier(
            new StirChainValidator(anchors, new StirChainValidatorOptions { TimeProvider = time, SpcAuthorization = spc }),
            new KeyRecordVerifierOptions
            {
                RequireCurrentlyValid = false,
                MaxValidity = TimeSpan.FromDays(settings.MaxValidityDays),
                ClockSkew = TimeSpan.FromSeconds(settings.ClockSkewSeconds),
            });
    }

    public KeyRecordVerifier Verifier { get; }
}
