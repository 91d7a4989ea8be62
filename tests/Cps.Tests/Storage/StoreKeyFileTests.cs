using System.Security.Cryptography;
using Stir.Encrypted.CpsService.Storage.LiteDb;

namespace Stir.Encrypted.Cps.Tests.Storage;

/// <summary>The key file format: round trip, every byte flipped, every truncation, oversize, wrong kind or label.</summary>
public sealed class StoreKeyFileTests
{
    private const string Path = "/data/cps/keys/period-7.key";

    [Theory]
    [InlineData("PeriodKey", 7UL)]
    [InlineData("CoverKey", 0UL)]
    [InlineData("IndexSalt", 0UL)]
    public void Format_ThenParse_ReturnsTheValue(string kindName, ulong label)
    {
        var kind = Enum.Parse<StoreKeyKind>(kindName);
        var value = RandomNumberGenerator.GetBytes(32);
        var file = StoreKeyFile.Format(kind, label, value);
        var parsed = new byte[32];

        StoreKeyFile.Parse(Path, file, kind, label, parsed);

        Assert.Equal(StoreKeyFile.Length, file.Length);
        Assert.Equal(value, parsed);
    }

    [Fact]
    public void Parse_WithAnyByteFlipped_Throws()
    {
        var file = StoreKeyFile.Format(StoreKeyKind.PeriodKey, 7, RandomNumberGenerator.GetBytes(32));
        for (var i = 0; i < file.Length; i++)
        {
            var damaged = file.ToArray();
            damaged[i] ^= 0x01;

            var exception = Assert.Throws<CorruptStoreFileException>(() => StoreKeyFile.Parse(Path, damaged, StoreKeyKind.PeriodKey, 7, new byte[32]));

            Assert.Equal(Path, exception.FilePath);
            var expected = i < 8
                ? "does not start with \"STIRCPK1\" (not a period key file)"
                : "checksum does not match its content (the file is damaged)";
            Assert.Equal($"Store file \"{Path}\": {expected}", exception.Message);
        }
    }

    [Fact]
    public void Parse_OfEveryTruncation_AndOversize_ThrowsNamingTheLength()
    {
        var file = StoreKeyFile.Format(StoreKeyKind.CoverKey, 0, RandomNumberGenerator.GetBytes(32));
        for (var length = 0; length < file.Length; length++)
        {
            var exception = Assert.Throws<CorruptStoreFileException>(() => StoreKeyFile.Parse(Path, file.AsSpan(0, length), StoreKeyKind.CoverKey, 0, new byte[32]));
            Assert.Equal($"Store file \"{Path}\": length is {length} bytes, expected 64", exception.Message);
        }

        byte[] oversize = [.. file, 0];
        var tooLong = Assert.Throws<CorruptStoreFileException>(() => StoreKeyFile.Parse(Path, oversize, StoreKeyKind.CoverKey, 0, new byte[32]));
        Assert.Equal($"Store file \"{Path}\": length is 65 bytes, expected 64", tooLong.Message);
    }

    [Fact]
    public void Parse_OfAnotherKindOrPeriod_Throws()
    {
        var salt = StoreKeyFile.Format(StoreKeyKind.IndexSalt, 0, RandomNumberGenerator.GetBytes(32));
        var period = StoreKeyFile.Format(StoreKeyKind.PeriodKey, 7, RandomNumberGenerator.GetBytes(32));

        var wrongKind = Assert.Throws<CorruptStoreFileException>(() => StoreKeyFile.Parse(Path, salt, StoreKeyKind.CoverKey, 0, new byte[32]));
        var wrongPeriod = Assert.Throws<CorruptStoreFileException>(() => StoreKeyFile.Parse(Path, period, StoreKeyKind.PeriodKey, 8, new byte[32]));

        Assert.Equal($"Store file \"{Path}\": does not start with \"STIRCCK1\" (not a cover key file)", wrongKind.Message);
        Assert.Equal($"Store file \"{Path}\": holds the key of period 7, but its name says period 8", wrongPeriod.Message);
    }

    [Fact]
    public void FormatOrParse_WithWrongValueBuffer_IsMisuse()
    {
        Assert.Throws<ArgumentException>(() => StoreKeyFile.Format(StoreKeyKind.CoverKey, 0, new byte[31]));
        var file = StoreKeyFile.Format(StoreKeyKind.CoverKey, 0, new byte[32]);
        Assert.Throws<ArgumentException>(() => StoreKeyFile.Parse(Path, file, StoreKeyKind.CoverKey, 0, new byte[33]));
    }
}
