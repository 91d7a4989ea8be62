using System.Security.Cryptography.X509Certificates;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>Small helpers to build TNAuthLists and PEM chains from the development PKI in certificate tests.</summary>
internal static class CertTestPki
{
    /// <summary>A fixed start for fake clocks: 2026-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A TNAuthList from short texts: "spc:709J", "one:12025550123", "range:12025550100+100".
    /// </summary>
    public static TNAuthList List(params string[] entries) => new(entries.Select(Entry));

    public static TNEntry Entry(string text)
    {
        var (kind, value) = (text[..text.IndexOf(':', StringComparison.Ordinal)], text[(text.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        return kind switch
        {
            "spc" => new TNEntry.Spc(new ServiceProviderCode(value)),
            "one" => new TNEntry.One(TelephoneNumber.ParseCanonical(value)),
            "range" => new TNEntry.Range(TelephoneNumberRange.Parse(value)),
            _ => throw new ArgumentException($"unknown entry kind in {text}", nameof(text)),
        };
    }

    public static string Pem(IEnumerable<X509Certificate2> certificates) => string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n"));

    public static TelephoneNumber Tn(string canonical) => TelephoneNumber.ParseCanonical(canonical);
}
