using Stir.Encrypted.Discovery;

namespace Stir.Encrypted.Tests.Rfc;

/// <summary>
/// enum/enum-cases.json "naptr_processing": every RRset fed to the pure processor (RFC 6116 §3–§5) gives
/// exactly the expected URIs, in order, or the expected next domain.
/// </summary>
public sealed class EnumNaptrProcessingVectorTests
{
    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var c in EnumNaptrVectorCase.LoadAll())
        {
            data.Add(c.Id);
        }

        return data;
    }

    [Fact]
    public void Vectors_AllTenCasesArePresentAndUnderstood()
    {
        var cases = EnumNaptrVectorCase.LoadAll();

        Assert.Equal(10, cases.Count);
        Assert.Equal(10, cases.Select(c => c.Id).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Process_GivesTheVectorUrisAndNextDomain(string id)
    {
        var vector = EnumNaptrVectorCase.Load(id);

        var ruleSet = NaptrProcessor.Process(vector.Aus, vector.QueryDomain, vector.Records, vector.Wants);
        var first = ruleSet.FirstUsableOrder();

        var uris = first.Where(r => r.IsTerminal).Select(r => new EnumNaptrExpectedUri(r.Enumservice!, r.Uri!, r.Order, r.Preference)).ToList();
        Assert.Equal(vector.ExpectedUris, uris);
        Assert.Equal(vector.ExpectedNextDomain, first.FirstOrDefault(r => !r.IsTerminal)?.NextDomain);
        Assert.Empty(ruleSet.Problems);
    }
}
