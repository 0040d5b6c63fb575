using Queue.Core.Log;

namespace Queue.Core.Journal;

/// <summary>
/// What an owner needs to serve a partition: the epoch it writes under, where the log starts and
/// ends, every consumer position, and only the newest messages (never the whole log).
/// </summary>
public sealed record PartitionRecovery(
    long Epoch,
    long LogStart,
    long HighWatermark,
    IReadOnlyDictionary<long, long> Positions,
    IReadOnlyList<StoredMessage> Tail)
{
    /// <summary>Each producer's last idempotent batch in this partition, so retries stay recognisable across restarts.</summary>
    public IReadOnlyList<ProducerBatchRecord> Sequences { get; init; } = [];
}
