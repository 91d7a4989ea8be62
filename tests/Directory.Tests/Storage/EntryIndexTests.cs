using System.Globalization;
using Stir.Encrypted.DirectoryService.Storage;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.DirectoryService.Tests.Storage;

/// <summary>The number index: a record's keys and a number's lookup keys meet exactly when the record covers the number.</summary>
public sealed class EntryIndexTests : IDisposable
{
    private readonly KeyRecordPki _pki = new();
    private readonly KeyRecordPki.Holder _holder;

    public EntryIndexTests()
    {
        _holder = _pki.Issue("carrier", "range:100000+900000");
    }

    [Theory]
    [InlineData("12025550100+200", "11:120255501,11:120255502")]
    [InlineData("12025550123+2", "11:12025550123,11:12025550124")]
    [InlineData("12025550195+10", "11:12025550195,11:12025550196,11:12025550197,11:12025550198,11:12025550199,11:12025550200,11:12025550201,11:12025550202,11:12025550203,11:12025550204")]
    [InlineData("12025550000+10000", "11:1202555")]
    [InlineData("10000000000+90000000000", "11:1,11:2,11:3,11:4,11:5,11:6,11:7,11:8,11:9")]
    public void NumberKeys_OfARange_AreTheFewestAlignedBlocks(string range, string keys)
    {
        var pki = _pki.Issue("wide", "range:10000000000+90000000000");

        Assert.Equal(keys.Split(','), EntryIndex.NumberKeys(pki.Record("r", 1, [range])));
    }

    [Fact]
    public void SeededRanges_KeysMeetLookupKeys_ExactlyForCoveredNumbers()
    {
        var random = new Random(1202555);
        for (var round = 0; round < 60; round++)
        {
            var start = random.Next(100000, 990000);
            var count = random.Next(2, 9000);
            count = Math.Min(count, 999999 - start + 1);
            var range = new TelephoneNumberRange(TelephoneNumber.ParseCanonical(start.ToString(CultureInfo.InvariantCulture)), count);
            var keys = EntryIndex.NumberKeys(_holder.Record("r", 1, [range.ToString()]));
            Assert.True(keys.Count <= 2 * 9 * 6, $"{range}: {keys.Count} keys");

            for (var probe = 0; probe < 200; probe++)
            {
                var n = probe % 2 == 0 ? random.Next(start - 50, start + count + 50) : random.Next(100000, 1000000);
                if (n is < 100000 or > 999999)
                {
                    continue;
                }

                var number = TelephoneNumber.ParseCanonical(n.ToString(CultureInfo.InvariantCulture));
                var found = EntryIndex.LookupKeys(number).Any(keys.Contains);
                Assert.True(range.Contains(number) == found, $"{range} and {number}: covered {range.Contains(number)}, found {found}");
            }
        }
    }

    [Fact]
    public void Buckets_OfARangeOverTheLimit_AreEveryBucket_AndUnderItTheBucketsOfItsNumbers()
    {
        var record = _holder.Record("r", 1, ["123456+100"]);

        Assert.Null(EntryIndex.Buckets(record, 8, rangeLimit: 99));
        var buckets = EntryIndex.Buckets(record, 8, rangeLimit: 100)!;
        var expected = Enumerable.Range(123456, 100).Select(n => Stir.Encrypted.KeyRecords.KeyRecordBucket.Of(TelephoneNumber.ParseCanonical(n.ToString(CultureInfo.InvariantCulture)), 8)).ToHashSet();
        Assert.True(expected.SetEquals(buckets));
    }

    public void Dispose() => _pki.Dispose();
}
