using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// No change to a signed key record survives: every character flipped, every truncation and any trailing
/// addition is either refused by the parser or fails verification. Nothing is ever accepted altered.
/// </summary>
public sealed class KeyRecordTamperTests : IDisposable
{
    private readonly KeyRecordPki _pki = new();
    private readonly KeyRecordVerifier _verifier;
    private readonly KeyRecordPki.Holder _holder;

    public KeyRecordTamperTests()
    {
        _holder = _pki.Issue("carrier", "range:12025550000+10000");
        _verifier = _pki.Verifier();
    }

    [Fact]
    public void TheUntamperedRecordAndRevocation_Verify()
    {
        Assert.True(_verifier.Verify(_holder.Record("r1", 1, ["12025550123", "12025550200+50"]).Token).IsValid);
        Assert.True(_verifier.Verify(_holder.Revocation("r1", 2).Token).IsValid);
    }

    [Fact]
    public void FlipEachCharacter_OfARecord_IsNeverAccepted() => FlipEachCharacter(_holder.Record("r1", 1, ["12025550123", "12025550200+50"]).Token);

    [Fact]
    public void FlipEachCharacter_OfARevocation_IsNeverAccepted() => FlipEachCharacter(_holder.Revocation("r1", 2).Token);

    [Fact]
    public void EveryTruncation_IsNeverAccepted()
    {
        var token = _holder.Record("r1", 1, ["12025550123"]).Token;
        for (var length = 0; length < token.Length; length++)
        {
            Assert.False(Accepted(token[..length]), $"accepted the token cut to {length} characters");
        }
    }

    [Theory]
    [InlineData("A")]
    [InlineData("AAAA")]
    [InlineData(".")]
    [InlineData(" ")]
    [InlineData("\n")]
    public void AppendedCharacters_AreNeverAccepted(string suffix)
    {
        var token = _holder.Record("r1", 1, ["12025550123"]).Token;

        Assert.False(Accepted(token + suffix));
        Assert.False(Accepted(suffix + token));
    }

    [Fact]
    public void SwappedSignatureBetweenTwoRecords_IsABadSignature()
    {
        var a = _holder.Record("r1", 1, ["12025550123"]).Token.Split('.');
        var b = _holder.Record("r1", 2, ["12025550123"]).Token.Split('.');

        var verdict = _verifier.Verify($"{a[0]}.{a[1]}.{b[2]}");

        Assert.Equal(KeyRecordFailure.BadSignature, verdict.Failure);
    }

    public void Dispose() => _pki.Dispose();

    private void FlipEachCharacter(string token)
    {
        var chars = token.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var original = chars[i];
            chars[i] = original switch { '.' => 'A', 'A' => 'B', _ => 'A' };
            Assert.False(Accepted(new string(chars)), $"accepted the token with character {i} ('{original}') changed");
            chars[i] = original;
        }
    }

    private bool Accepted(string token) => KeyRecord.TryParse(token, out var record, out _) && _verifier.Verify(record).IsValid;
}
