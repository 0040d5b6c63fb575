using Queue.Core.Log;

namespace Queue.Core.Journal;

/// <summary>
/// A write or recovery under an epoch that is no longer the partition's: another owner has taken
/// over. Nothing was written. The request should go to the new owner.
/// </summary>
public sealed class JournalFencedException(PartitionId partition, long epoch, long? currentEpoch)
    : Exception($"partition {partition} has moved: epoch {epoch} is stale" + (currentEpoch is { } c ? $" (current {c})" : ""))
{
    public PartitionId Partition { get; } = partition;
    public long Epoch { get; } = epoch;
}

/// <summary>The journal's store cannot be reached or did not answer in time. Retryable.</summary>
public sealed class JournalUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
