using System.Diagnostics.CodeAnalysis;
using Stir.Encrypted.Certificates;

namespace Stir.Encrypted.KeyRecords;

/// <summary>
/// The outcome of checking one key record or revocation: usable (<see cref="IsValid"/>), or one
/// <see cref="Failure"/> with a <see cref="Reason"/> for people. Rollback and equivocation verdicts carry what
/// the ledger had seen before (<see cref="SeenSeq"/>, <see cref="SeenHash"/>) beside the entry now shown.
/// </summary>
public sealed class KeyRecordVerdict
{
    private KeyRecordVerdict(KeyRecordFailure failure, string reason, KeyRecord? record, VerifiedKeyRecord? verified)
    {
        Failure = failure;
        Reason = reason;
        Record = record;
        Verified = verified;
    }

    /// <summary>Whether the entry is to be used: its chain, signature, times, coverage and key all check out.</summary>
    [MemberNotNullWhen(true, nameof(Record))]
    public bool IsValid => Failure == KeyRecordFailure.None;

    /// <summary>What failed, or <see cref="KeyRecordFailure.None"/>.</summary>
    public KeyRecordFailure Failure { get; }

    /// <summary>One line for people: the rule and the values (never a key).</summary>
    public string Reason { get; }

    /// <summary>The parsed entry; null only when it did not parse.</summary>
    public KeyRecord? Record { get; }

    /// <summary>For a valid record (not a revocation): the imported key and the validated certificate.</summary>
    public VerifiedKeyRecord? Verified { get; }

    /// <summary>For <see cref="KeyRecordFailure.UntrustedChain"/>: what the chain validator objected to.</summary>
    public StirChainFailure ChainFailure { get; private init; }

    /// <summary>For ledger verdicts: the seq seen before for this (holder, rid).</summary>
    public long? SeenSeq { get; private init; }

    /// <summary>For ledger verdicts: the hash (base64url SHA-256 of the token) of the entry seen before.</summary>
    public string? SeenHash { get; private init; }

    /// <summary>The reason.</summary>
    public override string ToString() => Reason;

    internal static KeyRecordVerdict Valid(KeyRecord record, VerifiedKeyRecord? verified, string reason) => new(KeyRecordFailure.None, reason, record, verified);

    internal static KeyRecordVerdict Invalid(KeyRecordFailure failure, string reason, KeyRecord? record) => new(failure, reason, record, null);

    internal static KeyRecordVerdict Chain(StirChainFailure chainFailure, string reason, KeyRecord record) =>
        new(KeyRecordFailure.UntrustedChain, reason, record, null) { ChainFailure = chainFailure };

    internal static KeyRecordVerdict Ledger(KeyRecordFailure failure, string reason, KeyRecord record, long seenSeq, string seenHash) =>
        new(failure, reason, record, null) { SeenSeq = seenSeq, SeenHash = seenHash };
}
