using System.Text;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>The client ledger: rollback, equivocation and revocation verdicts, and its file (atomic, owner-only, no numbers).</summary>
public sealed class KeyRecordLedgerTests : IDisposable
{
    private readonly KeyRecordPki _pki = new();
    private readonly KeyRecordVerifier _verifier;
    private readonly KeyRecordPki.Holder _holder;
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("stir-ledger-");

    public KeyRecordLedgerTests()
    {
        _holder = _pki.Issue("carrier", "range:12025550000+10000");
        _verifier = _pki.Verifier();
    }

    [Fact]
    [Trait("Claim", "TM-16")]
    public void NewAndHigherSeqs_AreValidAndRemembered()
    {
        var ledger = KeyRecordLedger.InMemory();

        Assert.True(ledger.Observe(Verify(_holder.Record("r1", 1, ["12025550123"]))).IsValid);
        Assert.True(ledger.Observe(Verify(_holder.Record("r1", 5, ["12025550123"]))).IsValid);

        Assert.Equal(5, ledger.Find(_holder.Id, "r1")!.Value.Seq);
        Assert.Null(ledger.Find(_holder.Id, "r2"));
    }

    [Fact]
    [Trait("Claim", "TM-24")]
    public void LowerSeqThanSeen_IsRollback_WithWhatWasSeen()
    {
        var ledger = KeyRecordLedger.InMemory();
        var old = _holder.Record("r1", 1, ["12025550123"]);
        var current = _holder.Record("r1", 2, ["12025550123"]);
        ledger.Observe(Verify(current));

        var verdict = ledger.Observe(Verify(old));

        Assert.Equal(KeyRecordFailure.Rollback, verdict.Failure);
        Assert.Equal(2, verdict.SeenSeq);
        Assert.Equal(current.Hash, verdict.SeenHash);
        Assert.Equal("rollback: seq 1 of rid r1 is lower than seq 2 seen before", verdict.Reason);
        Assert.Equal(2, ledger.Find(_holder.Id, "r1")!.Value.Seq);
    }

    [Fact]
    [Trait("Claim", "TM-24")]
    public void SameSeqDifferentRecord_IsEquivocation_WithBothHashes()
    {
        var ledger = KeyRecordLedger.InMemory();
        var first = _holder.Record("r1", 3, ["12025550123"]);
        var second = _holder.Record("r1", 3, ["12025550123"]);
        ledger.Observe(Verify(first));

        var verdict = ledger.Observe(Verify(second));

        Assert.Equal(KeyRecordFailure.Equivocation, verdict.Failure);
        Assert.Equal(first.Hash, verdict.SeenHash);
        Assert.Equal(second.Hash, verdict.Record!.Hash);
        Assert.Equal($"equivocation: seq 3 of rid r1 was seen as {first.Hash} and is now {second.Hash}", verdict.Reason);
        Assert.True(ledger.Observe(Verify(first)).IsValid);
    }

    [Fact]
    [Trait("Claim", "TM-24")]
    public void TheEcdsaTwinOfASeenRecord_IsTheSameEntry_NotAnEquivocation()
    {
        // (r, s) and (r, n − s) both verify: a directory that serves the second spelling of a record a client has
        // seen must not make the client refuse the genuine record as an equivocation.
        var ledger = KeyRecordLedger.InMemory();
        var record = _holder.Record("r1", 3, ["12025550123"]);
        var twin = KeyRecord.Parse(EcdsaTwin.Of(record.Token));
        Assert.NotEqual(record.Token, twin.Token);
        Assert.True(Verify(twin).IsValid, "the twin verifies: it is not a forgery");

        Assert.True(ledger.Observe(Verify(record)).IsValid);
        Assert.True(ledger.Observe(Verify(twin)).IsValid);
        Assert.True(ledger.Observe(Verify(record)).IsValid);
        Assert.Equal(record.Hash, twin.Hash);
    }

    [Fact]
    [Trait("Claim", "TM-24")]
    public void ALedgerOfFormat1_KeepsItsSeqs_AndPinsTheNextEntrySeenAtTheSameSeq()
    {
        // Format 1 kept hashes of whole tokens, which cannot be compared with hashes of signed content: its entries
        // still catch rollbacks, and the first verified entry at the same seq is pinned from then on.
        var path = Path.Combine(_directory.FullName, "ledger.json");
        var record = _holder.Record("r1", 3, ["12025550123"]);
        var tokenHash = StrictBase64.EncodeUrl(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(record.Token)));
        File.WriteAllText(path, $$"""{"format":1,"entries":[{"holder":"{{_holder.Id}}","rid":"r1","seq":3,"hash":"{{tokenHash}}","kind":"record"}]}""");
        var ledger = KeyRecordLedger.Open(path);

        Assert.Equal(KeyRecordFailure.Rollback, ledger.Observe(Verify(_holder.Record("r1", 2, ["12025550123"]))).Failure);
        Assert.True(ledger.Observe(Verify(record)).IsValid);
        Assert.Equal(KeyRecordFailure.Equivocation, ledger.Observe(Verify(_holder.Record("r1", 3, ["12025550123"]))).Failure);
        ledger.Save();
        Assert.Contains("\"format\": 2", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal((3L, record.Hash, false), KeyRecordLedger.Open(path).Find(_holder.Id, "r1"));
    }

    [Fact]
    [Trait("Claim", "TM-25")]
    public void RecordOlderThanASeenRevocation_IsRevoked_AndALaterOneIsValid()
    {
        var ledger = KeyRecordLedger.InMemory();
        var record = _holder.Record("r1", 1, ["12025550123"]);
        ledger.Observe(Verify(_holder.Revocation("r1", 2)));

        var revoked = ledger.Observe(Verify(record));
        var republished = ledger.Observe(Verify(_holder.Record("r1", 3, ["12025550123"])));

        Assert.Equal(KeyRecordFailure.Revoked, revoked.Failure);
        Assert.Equal("rid r1 of this holder was revoked at seq 2; this entry has seq 1", revoked.Reason);
        Assert.True(republished.IsValid);
    }

    [Fact]
    public void AnotherHoldersSameRid_IsAnotherEntry()
    {
        var ledger = KeyRecordLedger.InMemory();
        var other = _pki.Issue("reseller", "range:12025550000+100");
        ledger.Observe(Verify(_holder.Record("r1", 9, ["12025550123"])));

        Assert.True(ledger.Observe(Verify(other.Record("r1", 1, ["12025550001"]))).IsValid);
        Assert.Equal(2, ledger.Count);
    }

    [Fact]
    public void InvalidVerdicts_PassThroughAndAreNotRecorded()
    {
        var ledger = KeyRecordLedger.InMemory();
        var stranger = _pki.IssueUntrusted("stranger", "range:12025550000+10000");
        var forged = _verifier.Verify(stranger.Record("r1", 99, ["12025550123"]));

        Assert.Same(forged, ledger.Observe(forged));
        Assert.Equal(0, ledger.Count);
    }

    [Fact]
    public void Save_ThenOpen_RemembersEverything_InAnOwnerOnlyFileWithoutNumbers()
    {
        var path = Path.Combine(_directory.FullName, "sub", "ledger.json");
        var ledger = KeyRecordLedger.Open(path);
        var record = _holder.Record("r1", 4, ["12025550123"]);
        ledger.Observe(Verify(record));
        ledger.Observe(Verify(_holder.Revocation("r2", 7)));

        ledger.Save();
        var reopened = KeyRecordLedger.Open(path);

        Assert.Equal((4L, record.Hash, false), reopened.Find(_holder.Id, "r1"));
        Assert.Equal(7, reopened.Find(_holder.Id, "r2")!.Value.Seq);
        Assert.True(reopened.Find(_holder.Id, "r2")!.Value.Revoked);
        Assert.Equal(KeyRecordFailure.Rollback, reopened.Observe(Verify(_holder.Record("r1", 3, ["12025550123"]))).Failure);
        var text = File.ReadAllText(path);
        Assert.DoesNotContain("12025550123", text, StringComparison.Ordinal);
        Assert.DoesNotContain(StrictBase64.EncodeUrl(record.PublicKey.Span), text, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Assert.Equal(["ledger.json"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("{\"format\":3,\"entries\":[]}", "expected {\"format\": 2, \"entries\": [...]}")]
    [InlineData("{\"format\":1,\"entries\":[{\"holder\":\"x\"}]}", "entries[0]: expected {\"holder\", \"rid\", \"seq\", \"hash\", \"kind\"}")]
    [InlineData("{\"format\":1,\"entries\":[{\"holder\":\"x\",\"rid\":\"r\",\"seq\":1,\"hash\":\"h\",\"kind\":\"record\"}]}", "entries[0]: a value is out of range")]
    public void Open_DamagedFile_IsALedgerFormatError(string content, string reason)
    {
        var path = Path.Combine(_directory.FullName, "ledger.json");
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

        var e = Assert.Throws<KeyRecordLedgerFormatException>(() => KeyRecordLedger.Open(path));

        Assert.StartsWith(reason, e.Reason, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _pki.Dispose();
        _directory.Delete(recursive: true);
    }

    private KeyRecordVerdict Verify(KeyRecord record) => _verifier.Verify(record);
}
