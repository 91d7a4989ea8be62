using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;
using static Stir.Encrypted.Tests.Formats.PassportTestKit;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// Several PASSporTs per call (RFC 8224 §4: several Identity headers) and diversion chains (RFC 8946 §4.2,
/// §5.1): which link failed, and why.
/// </summary>
public sealed class PassportCallVerifierTests
{
    private static readonly TelephoneNumber B = Dest;

    private static readonly TelephoneNumber C = TelephoneNumber.ParseCanonical("12025550177");

    private static readonly TelephoneNumber D = TelephoneNumber.ParseCanonical("12025550155");

    [Fact]
    public async Task BasicPlusShaken_SameCall_BothValid()
    {
        using var rig = new Rig();
        var basic = Basic().WithIat(Now).Sign(rig.Signer);
        var shaken = Basic().WithIat(Now).WithShaken("A", Guid.NewGuid()).Sign(rig.Signer);
        var set = new PassportSet([basic, shaken]);

        var verdict = await rig.Verifier.VerifyCallAsync(set, B, CancellationToken.None);

        Assert.True(verdict.IsValid, verdict.ToString());
        Assert.Equal(2, verdict.Verdicts.Count);
        Assert.Equal([basic, shaken], set.Originals);
        Assert.Empty(set.Diversions);
        Assert.Equal("2 PASSporT(s) valid; 0 diversion link(s) verified", verdict.Message);
    }

    [Fact]
    public async Task OneMalformedIdentityHeader_IsReportedWithItsIndex()
    {
        using var rig = new Rig();
        var basic = Basic().Sign(rig.Signer);

        var verdict = await rig.Verifier.VerifyCallAsync([basic.ToIdentityHeader(), "garbage;info=<https://a.example/c>"], B, CancellationToken.None);

        Assert.Equal(PassportRule.Malformed, verdict.Rule);
        Assert.Equal(1, verdict.FailedIndex);
        Assert.True(verdict.Verdicts[0].IsValid);
        Assert.StartsWith("PASSporT #2: token: expected 3 segments", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DivChain_TwoRetargetings_Verifies_AndTheCalledNumberIsTheOutermostDest()
    {
        using var rig = new Rig();
        var original = Basic().Sign(rig.Signer);                                                       // A -> B
        var first = Divert(rig, original, B, C, Now + 1);                                             // B -> C
        var second = Divert(rig, first, C, D, Now + 2);                                               // C -> D
        rig.Clock.Advance(TimeSpan.FromSeconds(2));

        // Identity headers are unordered (RFC 8946 §3): the chain is rebuilt from the claims.
        var headers = new[] { second.ToIdentityHeader(), original.ToIdentityHeader(), first.ToIdentityHeader() };
        var valid = await rig.Verifier.VerifyCallAsync(headers, D, CancellationToken.None);
        var wrongTarget = await rig.Verifier.VerifyCallAsync(headers, C, CancellationToken.None);

        Assert.True(valid.IsValid, valid.ToString());
        Assert.Equal("3 PASSporT(s) valid; 2 diversion link(s) verified", valid.Message);
        Assert.Equal(PassportRule.DestMismatch, wrongTarget.Rule);
        Assert.Equal(0, wrongTarget.FailedIndex);
        Assert.Contains("ends its chain, and its \"dest\" (tn 12025550155) does not contain the called number 12025550177", wrongTarget.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DivWithoutItsOriginal_ChainIncomplete()
    {
        using var rig = new Rig();
        var original = Basic().Sign(rig.Signer);
        var div = Divert(rig, original, B, C, Now);

        var verdict = await rig.Verifier.VerifyCallAsync(new PassportSet([div]), C, CancellationToken.None);

        Assert.Equal(PassportRule.ChainIncomplete, verdict.Rule);
        Assert.Equal(
            "PASSporT #1 (ppt \"div\", orig tn 12025550123, div tn 12025550199, dest tn 12025550177): no PASSporT of the call has tn 12025550199 in its \"dest\", so the chain to the original cannot be built (RFC 8946 §4.2)",
            verdict.Message);
    }

    [Fact]
    public async Task DivWithAnotherOrig_ChainOrigMismatch()
    {
        using var rig = new Rig();
        var original = Basic().Sign(rig.Signer);
        var forged = new PassportBuilder().WithX5u(X5u).WithOrig(TelephoneNumber.ParseCanonical("12025550111")).WithIat(Now)
            .WithDiv(PassportIdentity.FromTn(B)).AddDest(C).Sign(rig.Signer);

        var verdict = await rig.Verifier.VerifyCallAsync(new PassportSet([original, forged]), C, CancellationToken.None);

        Assert.Equal(PassportRule.ChainOrigMismatch, verdict.Rule);
        Assert.Equal(1, verdict.FailedIndex);
        Assert.Contains("PASSporT #1 has its div in \"dest\" but \"orig\" tn 12025550123, not tn 12025550111", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DivIssuedBeforeTheOriginal_ChainIatOrder()
    {
        using var rig = new Rig();
        var original = Basic().WithIat(Now).Sign(rig.Signer);
        var div = Divert(rig, original, B, C, Now - 30);

        var verdict = await rig.Verifier.VerifyCallAsync(new PassportSet([original, div]), C, CancellationToken.None);

        Assert.Equal(PassportRule.ChainIatOrder, verdict.Rule);
        Assert.Contains("\"iat\" 1799999970 is 30 s before the original's \"iat\" 1800000000", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DivCycleWithoutAnOriginal_ChainIncomplete()
    {
        using var rig = new Rig();
        var bToC = Basic().WithIat(Now).WithDiv(PassportIdentity.FromTn(B)).AddDest(C).Sign(rig.Signer);
        var cToB = new PassportBuilder().WithX5u(X5u).WithOrig(Orig).WithIat(Now).WithDiv(PassportIdentity.FromTn(C)).AddDest(B).Sign(rig.Signer);

        var verdict = await rig.Verifier.VerifyCallAsync(new PassportSet([bToC, cToB]), null, CancellationToken.None);

        Assert.Equal(PassportRule.ChainIncomplete, verdict.Rule);
        Assert.Contains("never reaches an original (non-div) PASSporT", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaleOriginal_InAFreshDiv_IsCaught_UnlessTheOriginalWindowAllowsIt()
    {
        // RFC 8946 §4.2 step 4: an old PASSporT replayed inside a fresh div is stale; a transfer may allow longer.
        using var rig = new Rig();
        var original = Basic().WithIat(Now - 600).Sign(rig.Signer);
        var div = Divert(rig, original, B, C, Now);
        var set = new PassportSet([original, div]);

        var strict = await rig.Verifier.VerifyCallAsync(set, C, CancellationToken.None);
        var lenient = new PassportVerifier(rig.Resolver, new PassportVerifierOptions { DivertedOriginalFreshness = TimeSpan.FromHours(3) }, rig.Clock);

        Assert.Equal(PassportRule.Stale, strict.Rule);
        Assert.Equal(0, strict.FailedIndex);
        Assert.True((await lenient.VerifyCallAsync(set, C, CancellationToken.None)).IsValid);
    }

    [Fact]
    public async Task DivO_NestedOriginalSignedByAnotherKey_ChainLinkInvalid()
    {
        using var rig = new Rig();
        using var intruder = PassportSigningKey.Generate();
        var original = Basic().Sign(new PassportSigner(intruder, rig.Clock));
        var divO = PassportBuilder.ForDiversion(original, PassportIdentity.FromTn(B), nestOriginal: true).WithX5u(X5u).AddDest(C).Sign(rig.Signer);

        var verdict = await rig.VerifyAsync(divO.Token, C);

        Assert.Equal(PassportRule.ChainLinkInvalid, verdict.Rule);
        Assert.StartsWith("link 1 (ppt \"div-o\", orig tn 12025550123, div tn 12025550199, dest tn 12025550177 -> nested original ppt none, orig tn 12025550123, dest tn 12025550199): the nested PASSporT fails SignatureInvalid", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DivO_NestedOriginalWithAnotherDest_ChainDivMismatch()
    {
        using var rig = new Rig();
        var original = Basic().Sign(rig.Signer);
        var divO = Basic().WithIat(Now).WithDivO(PassportIdentity.FromTn(C), original).AddDest(D).Sign(rig.Signer);

        var verdict = await rig.VerifyAsync(divO.Token, D);

        Assert.Equal(PassportRule.ChainDivMismatch, verdict.Rule);
        Assert.Contains("\"div\" tn 12025550177 is not a destination of the original (tn 12025550199) (RFC 8946 §3)", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DivO_TwiceNested_VerifiesBothLinks()
    {
        using var rig = new Rig();
        var original = Basic().Sign(rig.Signer);
        var first = PassportBuilder.ForDiversion(original, PassportIdentity.FromTn(B), nestOriginal: true).WithX5u(X5u).AddDest(C).Sign(rig.Signer);
        var second = PassportBuilder.ForDiversion(first, PassportIdentity.FromTn(C), nestOriginal: true).WithX5u(X5u).AddDest(D).Sign(rig.Signer);

        var verdict = await rig.VerifyAsync(second.Token, D);

        Assert.True(verdict.IsValid, verdict.ToString());
        Assert.EndsWith("2 nested original(s) verified", verdict.Message, StringComparison.Ordinal);
        Assert.Equal(original.Token, Passport.Parse(second.Token).Original!.Original!.Token);
    }

    [Fact]
    public void ForDiversion_FromANumberNotInDest_IsAProgrammingError()
    {
        using var rig = new Rig();
        var original = Basic().Sign(rig.Signer);

        Assert.Throws<ArgumentException>(() => PassportBuilder.ForDiversion(original, PassportIdentity.FromTn(C)));
    }

    [Fact]
    public void Set_ParsesIdentityHeadersAndTokens_AndGivesThemBack()
    {
        using var rig = new Rig();
        var original = Basic().Sign(rig.Signer);
        var div = Divert(rig, original, B, C, Now);

        var set = PassportSet.Parse([original.Token, div.ToIdentityHeader()]);

        Assert.Equal(2, set.Count);
        Assert.Equal([original.Token, div.Token], set.Select(p => p.Token));
        Assert.Equal([div.Token], set.Diversions.Select(p => p.Token));
        Assert.Equal([original.ToIdentityHeader(), div.ToIdentityHeader()], set.ToIdentityHeaders());
        Assert.Throws<PassportFormatException>(() => PassportSet.Parse(["x.y"]));
    }

    private static Passport Divert(Rig rig, Passport from, TelephoneNumber divertedFrom, TelephoneNumber to, long iat)
        => PassportBuilder.ForDiversion(from, PassportIdentity.FromTn(divertedFrom)).WithX5u(X5u).AddDest(to).WithIat(iat).Sign(rig.Signer);
}
