using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Stir.Encrypted.Certificates;

/// <summary>
/// A certificate of the <see cref="DevelopmentPki"/> with its ECDSA P-256 private key and its chain: a
/// root, an intermediate, an RFC 9060 delegate CA or an end entity that signs PASSporTs. For development
/// and tests only. Disposing it disposes the key; <see cref="ToString"/> shows the subject, never the key.
/// </summary>
public sealed class DevelopmentCredential : IDisposable
{
    private readonly ECDsa _key;
    private readonly TimeProvider _timeProvider;
    private bool _disposed;

    internal DevelopmentCredential(X509Certificate2 certificate, ECDsa key, IReadOnlyList<X509Certificate2> issuers, TimeProvider timeProvider)
    {
        Certificate = certificate;
        _key = key;
        Issuers = issuers;
        _timeProvider = timeProvider;
    }

    /// <summary>The certificate (without its private key attached).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificates above this one, nearest first, up to and including the root (empty for the root).</summary>
    public IReadOnlyList<X509Certificate2> Issuers { get; }

    /// <summary>
    /// The chain a verifier fetches from <c>x5u</c> (RFC 9060 §7): this certificate, then its issuers, leaving
    /// out the root, which verifiers hold as a trust anchor (RFC 8555 §9.1 allows that). The root's chain is itself.
    /// </summary>
    public IReadOnlyList<X509Certificate2> Chain => Issuers.Count == 0 ? [Certificate] : [Certificate, .. Issuers.Take(Issuers.Count - 1)];

    /// <summary>Whether this credential can issue certificates (basicConstraints cA=true).</summary>
    public bool IsCertificateAuthority => Certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true };

    /// <summary>The certificate's TNAuthList, or null (the root and intermediate have none).</summary>
    public TNAuthList? TNAuthList => TNAuthList.FromCertificate(Certificate);

    /// <summary>The private key (owned by this credential: do not dispose it), e.g. to sign ES256 PASSporTs.</summary>
    public ECDsa PrivateKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _key;
        }
    }

    /// <summary>
    /// Issues an end-entity certificate for signing PASSporTs: a new P-256 key, basicConstraints cA=false,
    /// keyUsage digitalSignature, SKI/AKI, and <paramref name="tnAuthList"/> as a non-critical extension.
    /// </summary>
    /// <param name="name">The name (letters, digits, '.', '_', '-'); the subject says it is a development certificate.</param>
    /// <param name="tnAuthList">What the certificate authorizes.</param>
    /// <param name="validity">How long it is valid, from now (backdated by <see cref="DevelopmentPki.Backdate"/>).</param>
    /// <exception cref="InvalidOperationException">This credential is not a CA.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The validity would outlast this issuer's certificate.</exception>
    public DevelopmentCredential IssueEndEntity(string name, TNAuthList tnAuthList, TimeSpan validity) =>
        IssueEndEntity(name, tnAuthList, validity, []);

    /// <summary>
    /// Issues an RFC 9060 delegate CA certificate: a CA (pathLenConstraint 0) with a TNAuthList, which may in turn
    /// issue end-entity certificates whose TNAuthList it encompasses.
    /// </summary>
    /// <exception cref="InvalidOperationException">This credential is not a CA.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The validity would outlast this issuer's certificate.</exception>
    public DevelopmentCredential IssueDelegateCa(string name, TNAuthList tnAuthList, TimeSpan validity)
    {
        ArgumentNullException.ThrowIfNull(tnAuthList);
        return Issue(DevelopmentPki.Subject($"{DevelopmentPki.CheckName(name)} (DEVELOPMENT delegate CA)"), validity, isCa: true, pathLength: 0, [tnAuthList.ToExtension()]);
    }

    /// <summary>
    /// Writes <c>NAME.pem</c> (the certificate), <c>NAME.chain.pem</c> (<see cref="Chain"/>, what to serve at
    /// <c>x5u</c>) and <c>NAME.key.pem</c> (PKCS #8, readable by the owner only) into <paramref name="directory"/>.
    /// </summary>
    public void Save(string directory, string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        DevelopmentPki.CheckName(name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, $"{name}.pem"), Certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(directory, $"{name}.chain.pem"), string.Concat(Chain.Select(c => c.ExportCertificatePem() + "\n")));
        WritePrivateKey(Path.Combine(directory, $"{name}.key.pem"));
    }

    /// <summary>Reads a credential <see cref="Save"/> wrote: <c>NAME.pem</c>, <c>NAME.key.pem</c> and the issuers from <c>NAME.chain.pem</c> and the root.</summary>
    /// <exception cref="IOException">A file cannot be read.</exception>
    /// <exception cref="CertificateFormatException">A file is malformed, or the key does not match the certificate.</exception>
    public static DevelopmentCredential Load(string directory, string name, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        DevelopmentPki.CheckName(name);
        var certificate = CertificateChain.LoadPemFile(Path.Combine(directory, $"{name}.pem"))[0];
        var chain = CertificateChain.LoadPemFile(Path.Combine(directory, $"{name}.chain.pem"));
        var issuers = chain.Skip(1).ToList();
        var selfSigned = certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);
        if (!selfSigned)
        {
            issuers.AddRange(CertificateChain.LoadPemFile(Path.Combine(directory, $"{DevelopmentPki.RootName}.pem")));
        }

        var keyPath = Path.Combine(directory, $"{name}.key.pem");
        var key = ECDsa.Create();
        try
        {
            var pem = File.ReadAllText(keyPath).ToCharArray();
            try
            {
                key.ImportFromPem(pem);
            }
            finally
            {
                Array.Clear(pem);
            }

            using var certificateKey = certificate.GetECDsaPublicKey();
            var expected = certificateKey?.ExportSubjectPublicKeyInfo();
            if (expected is null || !expected.AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                throw new CertificateFormatException(keyPath, $"the key does not belong to {certificate.Subject}");
            }
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new CertificateFormatException(keyPath, $"not a PKCS #8 EC private key: {e.Message}", e);
        }
        catch
        {
            key.Dispose();
            throw;
        }

        return new DevelopmentCredential(certificate, key, issuers, timeProvider ?? TimeProvider.System);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _key.Dispose();
        }
    }

    /// <summary>The subject; never key material.</summary>
    public override string ToString() => $"DevelopmentCredential({Certificate.Subject})";

    internal DevelopmentCredential IssueEndEntity(string name, TNAuthList tnAuthList, TimeSpan validity, IEnumerable<X509Extension> extraExtensions)
    {
        ArgumentNullException.ThrowIfNull(tnAuthList);
        return Issue(DevelopmentPki.Subject($"{DevelopmentPki.CheckName(name)} (DEVELOPMENT)"), validity, isCa: false, pathLength: null, [tnAuthList.ToExtension(), .. extraExtensions]);
    }

    internal DevelopmentCredential Issue(X500DistinguishedName subject, TimeSpan validity, bool isCa, int? pathLength, IEnumerable<X509Extension> extensions)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!IsCertificateAuthority)
        {
            throw new InvalidOperationException($"{Certificate.Subject} is not a CA and cannot issue certificates");
        }

        var (notBefore, notAfter) = DevelopmentPki.ValidityFrom(_timeProvider, validity);
        var issuerNotBefore = new DateTimeOffset(Certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var issuerNotAfter = new DateTimeOffset(Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        if (notAfter > issuerNotAfter)
        {
            throw new ArgumentOutOfRangeException(nameof(validity), $"the certificate would be valid until {CertificateText.Instant(notAfter)}, after its issuer expires ({CertificateText.Instant(issuerNotAfter)})");
        }

        if (notBefore < issuerNotBefore)
        {
            notBefore = issuerNotBefore;
        }

        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(isCa
                ? new X509BasicConstraintsExtension(true, pathLength is not null, pathLength ?? 0, critical: true)
                : new X509BasicConstraintsExtension(false, false, 0, critical: true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(
                isCa ? X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign : X509KeyUsageFlags.DigitalSignature, critical: true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
            foreach (var extension in extensions)
            {
                request.CertificateExtensions.Add(extension);
            }

            var certificate = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), notBefore, notAfter, DevelopmentPki.NewSerialNumber());
            return new DevelopmentCredential(certificate, key, [Certificate, .. Issuers], _timeProvider);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private void WritePrivateKey(string path)
    {
        var der = _key.ExportPkcs8PrivateKey();
        var pem = PemEncoding.Write("PRIVATE KEY", der);
        try
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }

            // Created owner-only from the start: the key is never readable by others, even briefly.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(path, options);
            using var writer = new StreamWriter(stream);
            writer.Write(pem);
            writer.Write('\n');
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
            Array.Clear(pem);
        }
    }
}
