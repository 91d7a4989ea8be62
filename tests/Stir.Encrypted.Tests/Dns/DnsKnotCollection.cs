namespace Stir.Encrypted.Tests.Dns;

/// <summary>Tests that share one Knot DNS server (DNS and CLI tests): they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class DnsKnotCollection : ICollectionFixture<DnsKnotFixture>
{
    public const string Name = "Knot DNS";
}
