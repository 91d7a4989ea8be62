using System.Text;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Sip;
using static Stir.Encrypted.Tests.Formats.PassportTestKit;
using static Stir.Encrypted.Tests.Formats.SipTestKit;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// Hostile INVITEs: every size cap is enforced with its message, and flipping or cutting any byte of a real
/// INVITE never makes the parser throw anything but <see cref="SipFormatException"/>, nor the lift throw at all.
/// </summary>
public sealed class SipRobustnessTests : IDisposable
{
    private readonly Rig _rig = new();

    public void Dispose() => _rig.Dispose();

    [Fact]
    public void Parse_MessageOverTheCap_ThrowsBeforeReading()
    {
        var limits = new SipParseLimits { MaxMessageBytes = 512 };
        var text = Invite(Headers(), new string('x', 200));
        var bytes = Encoding.UTF8.GetBytes(text);

        var error = Assert.Throws<SipFormatException>(() => SipInvite.Parse(bytes, limits));
        Assert.Equal($"the message is {bytes.Length} bytes (limit 512)", error.Message);
        Assert.Equal(0, error.Line);
        Assert.Equal($"the message is at least {text.Length} bytes (limit 512)", Assert.Throws<SipFormatException>(() => SipInvite.Parse(text, limits)).Message);
        Assert.Equal(bytes.Length, SipInvite.Parse(bytes, new SipParseLimits { MaxMessageBytes = bytes.Length }).ToBytes().Length);
    }

    [Fact]
    public void Parse_MultiByteTextOverTheCap_CountsBytesNotCharacters()
    {
        var text = Invite(Headers("+Subject: " + new string('é', 200)));
        var limits = new SipParseLimits { MaxMessageBytes = text.Length + 100 };

        Assert.Equal($"the message is {Encoding.UTF8.GetByteCount(text)} bytes (limit {text.Length + 100})", Assert.Throws<SipFormatException>(() => SipInvite.Parse(text, limits)).Message);
    }

    [Fact]
    public void Parse_MoreHeaderFieldsThanTheCap_ThrowsAtTheFirstOneOver()
    {
        var limits = new SipParseLimits { MaxHeaderFields = 10 };
        Assert.Equal(10, SipInvite.Parse(Invite(Headers("+Subject: 10th")), limits).HeaderFields.Count);

        var error = Assert.Throws<SipFormatException>(() => SipInvite.Parse(Invite(Headers("+Subject: 10th", "+Subject: 11th")), limits));

        Assert.Equal("line 12: more than 10 header fields (limit 10)", error.Message);
    }

    [Fact]
    public void Parse_HeaderFieldOverTheCap_ThrowsEvenWhenTheLengthComesFromFolding()
    {
        var limits = new SipParseLimits { MaxHeaderFieldLength = 100 };
        Assert.Equal(100, SipInvite.Parse(Invite(Headers("+Subject: " + new string('s', 100 - "Subject: ".Length))), limits).GetHeaderFields("Subject")[0].ToString().Length);

        var single = Assert.Throws<SipFormatException>(() => SipInvite.Parse(Invite(Headers("+Subject: " + new string('s', 100 - "Subject: ".Length + 1))), limits));
        var folded = Assert.Throws<SipFormatException>(() => SipInvite.Parse(Invite(Headers("+Subject: " + string.Join("\r\n ", Enumerable.Repeat(new string('s', 30), 4)))), limits));

        Assert.Equal("line 10: header field Subject is longer than 100 characters (limit 100)", single.Message);
        Assert.Equal("line 10: header field Subject is longer than 100 characters (limit 100)", folded.Message);
    }

    [Fact]
    public void Parse_MoreIdentityHeadersThanTheCap_ThrowsAtTheFirstOneOver()
    {
        var limits = new SipParseLimits { MaxIdentityHeaders = 2 };
        var value = Basic().Sign(_rig.Signer).ToIdentityHeader();
        Assert.Equal(2, SipInvite.Parse(Invite(Headers("+Identity: " + value, "+y: " + value)), limits).IdentityHeaders.Count);

        var error = Assert.Throws<SipFormatException>(() => SipInvite.Parse(Invite(Headers("+Identity: " + value, "+y: " + value, "+Identity: " + value)), limits));

        Assert.Equal("line 12: more than 2 Identity header fields (limit 2)", error.Message);
    }

    [Fact]
    public void Limits_Nonsense_ThrowArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipParseLimits { MaxMessageBytes = 255 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipParseLimits { MaxHeaderFields = 4 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipParseLimits { MaxHeaderFieldLength = 63 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipParseLimits { MaxIdentityHeaders = 0 });
    }

    [Fact]
    public void Defaults_HoldAFullSetOfPassportsAtTheirOwnCaps()
    {
        // The Identity cap must fit the largest token PASSporT parsing accepts, with its parameters.
        Assert.True(SipParseLimits.DefaultMaxHeaderFieldLength > PassportParseOptions.DefaultMaxTokenLength + 512);
        Assert.True(SipParseLimits.DefaultMaxMessageBytes >= 64 * 1024);
    }

    [Fact]
    public void FlipEveryByte_ParserThrowsOnlySipFormatException_AndLiftNeverThrows()
    {
        var bytes = Encoding.UTF8.GetBytes(RichInvite());
        var outcomes = new Dictionary<string, int>();
        foreach (var mask in new byte[] { 0x01, 0x20, 0x80, 0xFF })
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                var copy = (byte[])bytes.Clone();
                copy[i] ^= mask;
                Record(outcomes, copy);
            }
        }

        // Both outcomes happen: the harness is really exercising the error paths and the good ones.
        Assert.True(outcomes.GetValueOrDefault("parsed") > 1000, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault("rejected") > 100, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault("lift problems") > 100, string.Join(", ", outcomes));
    }

    [Fact]
    public void TruncateAtEveryLength_ParserThrowsOnlySipFormatException()
    {
        var bytes = Encoding.UTF8.GetBytes(RichInvite());
        var outcomes = new Dictionary<string, int>();
        for (var length = 0; length < bytes.Length; length++)
        {
            Record(outcomes, bytes[..length]);
        }

        // Cut anywhere before the body's end, the request is truncated (Content-Length says so).
        Assert.Equal(bytes.Length, outcomes.GetValueOrDefault("rejected"));
    }

    [Fact]
    public void RandomSplices_Seeded_ParserThrowsOnlySipFormatException()
    {
        var bytes = Encoding.UTF8.GetBytes(RichInvite());
        var random = new Random(8224);
        var specials = new byte[] { (byte)'\r', (byte)'\n', (byte)' ', (byte)'\t', (byte)':', (byte)';', (byte)',', (byte)'<', (byte)'>', (byte)'"', (byte)'\\', 0, 0xC3 };
        var outcomes = new Dictionary<string, int>();
        for (var round = 0; round < 3000; round++)
        {
            var copy = bytes.ToList();
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(copy.Count);
                switch (random.Next(3))
                {
                    case 0: copy.Insert(at, specials[random.Next(specials.Length)]); break;
                    case 1: copy.RemoveAt(at); break;
                    default: copy[at] = specials[random.Next(specials.Length)]; break;
                }
            }

            Record(outcomes, [.. copy]);
        }

        Assert.True(outcomes.GetValueOrDefault("parsed") > 100 && outcomes.GetValueOrDefault("rejected") > 100, string.Join(", ", outcomes));
    }

    // Parses; on success lifts, inserts what was lifted and parses the result again. Anything but
    // SipFormatException from the parser, or any exception from the rest, fails the test with the input.
    private static void Record(Dictionary<string, int> outcomes, byte[] message)
    {
        SipInvite invite;
        try
        {
            invite = SipInvite.Parse(message);
        }
        catch (SipFormatException)
        {
            outcomes["rejected"] = outcomes.GetValueOrDefault("rejected") + 1;
            return;
        }
        catch (Exception e)
        {
            Assert.Fail($"{e.GetType().Name} from the parser: {e.Message}\ninput:\n{Encoding.UTF8.GetString(message)}");
            return;
        }

        try
        {
            var lifted = SipGateway.Lift(invite);
            _ = invite.Caller.ToString() + invite.Callee + invite.Target;
            var inserted = SipGateway.Insert(SipInvite.Parse(Invite()), lifted.Passports);
            _ = SipInvite.Parse(inserted.Invite.ToBytes());
            _ = SipInvite.Parse(invite.ToBytes());
            outcomes["parsed"] = outcomes.GetValueOrDefault("parsed") + 1;
            if (lifted.Problems.Count > 0)
            {
                outcomes["lift problems"] = outcomes.GetValueOrDefault("lift problems") + 1;
            }
        }
        catch (Exception e)
        {
            Assert.Fail($"{e.GetType().Name} after parsing: {e}\ninput:\n{Encoding.UTF8.GetString(message)}");
        }
    }

    private string RichInvite()
    {
        var shaken = Basic().WithShaken("A", Guid.Parse("123e4567-e89b-12d3-a456-426655440000")).Sign(_rig.Signer);
        var compact = Basic().Sign(_rig.Signer);
        return Invite(Headers(
            "From: \"Alice, A.\"\r\n <sip:+12025550123@example.com;user=phone>;tag=1928301774",
            "+P-Asserted-Identity: <tel:+1-202-555-0123>, <sip:alice@example.com>",
            "+Diversion: <sip:+12025550150@example.net;user=phone>;reason=unconditional;counter=1",
            "+History-Info: <sip:+12025550199@example.net>;index=1,<sip:+12025550150@example.net>;index=1.1",
            "+Content-Type: application/sdp",
            "+Identity: " + shaken.ToIdentityHeader(),
            "+y: " + compact.ToIdentityHeader(compact: true)), Sdp);
    }
}
