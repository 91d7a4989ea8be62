namespace Stir.Encrypted.EndToEnd.Tests.Support;

/// <summary>One `stir serve` process for every end-to-end test class (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class ServeCollection : ICollectionFixture<ServeProcess>
{
    public const string Name = "stir serve";
}
