using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Stir.Encrypted.Certificates;

/// <summary>
/// A DEVELOPMENT PKI for STIR: a root CA and an intermediate CA (ECDSA P-256, SHA-256), from which end-entity
/// certificates with a TNAuthList and RFC 9060 delegate CAs are issued. Every subject names it as a
/// development PKI that is not for production. Time comes from a <see cref="TimeProvider"/>, so tests can
/// issue certificates that expire on cue.
/// </summary>
public sealed class DevelopmentPki : IDisposable
{
    /// <summary>The organization every subject carries, so that no one mistakes these certificates for real ones.</summary>
    public const string Organization = "Stir.Encrypted development PKI - NOT FOR PRODUCTION";

    /// <summary>File name (without extension) of the root in a saved PKI directory; <c>root.pem</c> is the trust anchor.</summary>
    public const string RootName = "root";

    /// <summary>File name (without extension) of the intermediate in a saved PKI directory.</summary>
    public const string IntermediateName = "intermediate";

    /// <summary>How long before "now" a certificate becomes valid, so that a peer whose clock is a little behind accepts it.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    /// <summary>The root's validity.</summary>
    public static readonly TimeSpan RootValidity = TimeSpan.FromDays(3650);

    /// <summary>The intermediate's validity.</summary>
    public static readonly TimeSpan IntermediateValidity = TimeSpan.FromDays(1825);

    private DevelopmentPki(DevelopmentCredential root, DevelopmentCredential intermediate)
    {
        Root = root;
        Intermediate = intermediate;
    }

    /// <summary>The root CA: the trust anchor verifiers configure.</summary>
    public DevelopmentCredential Root { get; }

    /// <summary>The intermediate CA that issues end-entity and delegate certificates.</summary>
    public DevelopmentCredential Intermediate { get; }

    /// <summary>Creates a new root and intermediate, valid from now (backdated by <see cref="Backdate"/>).</summary>
    public static DevelopmentPki Create(TimeProvider? timeProvider = null)
    {
        var time = timeProvider ?? TimeProvider.System;
        var (notBefore, notAfter) = ValidityFrom(time, RootValidity);
        var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        DevelopmentCredential root;
        try
        {
            var request = new CertificateRequest(Subject("Stir.Encrypted DEVELOPMENT Root CA"), rootKey, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
            var certificate = request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(rootKey), notBefore, notAfter, NewSerialNumber());
            root = new DevelopmentCredential(certificate, rootKey, [], time);
        }
        catch
        {
            rootKey.Dispose();
            throw;
        }

        try
        {
            var intermediate = root.Issue(Subject("Stir.Encrypted DEVELOPMENT Intermediate CA"), IntermediateValidity, isCa: true, pathLength: null, []);
            return new DevelopmentPki(root, intermediate);
        }
        catch
        {
            root.Dispose();
            throw;
        }
    }

    /// <summary>Reads a PKI that <see cref="Save"/> wrote.</summary>
    /// <exception cref="IOException">A file cannot be read.</exception>
    /// <exception cref="CertificateFormatException">A file is malformed.</exception>
    public static DevelopmentPki Load(string directory, TimeProvider? timeProvider = null)
    {
        var root = DevelopmentCredential.Load(directory, RootName, timeProvider);
        try
        {
            return new DevelopmentPki(root, DevelopmentCredential.Load(directory, IntermediateName, timeProvider));
        }
        catch
        {
            root.Dispose();
            throw;
        }
    }

    /// <summary>Writes the root and intermediate (certificates, chains, owner-only keys) into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        Root.Save(directory, RootName);
        Intermediate.Save(directory, IntermediateName);
    }

    /// <summary>Issues an end-entity certificate from the intermediate (<see cref="DevelopmentCredential.IssueEndEntity(string, TNAuthList, TimeSpan)"/>).</summary>
    public DevelopmentCredential IssueEndEntity(string name, TNAuthList tnAuthList, TimeSpan validity) => Intermediate.IssueEndEntity(name, tnAuthList, validity);

    /// <inheritdoc/>
    public void Dispose()
    {
        Intermediate.Dispose();
        Root.Dispose();
    }

    /// <summary>The subject and the root's lifetime; never key material.</summary>
    public override string ToString() => $"DevelopmentPki({Root.Certificate.Subject})";

    internal static X500DistinguishedName Subject(string commonName)
    {
        // The builder encodes the last added RDN first; this yields the usual C, O, CN order.
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(commonName);
        builder.AddOrganizationName(Organization);
        builder.AddCountryOrRegion("US");
        return builder.Build();
    }

    internal static string CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') || name[0] == '.')
        {
            throw new ArgumentException($"name {CertificateText.Quote(name)}: use 1 to 64 letters, digits, '.', '_' or '-', not starting with '.'", nameof(name));
        }

        return name;
    }

    internal static (DateTimeOffset NotBefore, DateTimeOffset NotAfter) ValidityFrom(TimeProvider time, TimeSpan validity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(validity, TimeSpan.Zero);

        // X.509 times have whole seconds.
        var now = time.GetUtcNow();
        now = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        return (now - Backdate, now + validity);
    }

    internal static byte[] NewSerialNumber()
    {
        // RFC 5280 §4.1.2.2: positive, at most 20 octets; CA/B practice: at least 64 random bits.
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        return serial;
    }
}
