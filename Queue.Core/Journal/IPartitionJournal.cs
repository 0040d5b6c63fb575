using Queue.Core.Log;

namespace Queue.Core.Journal;

/// <summary>
/// Durable state of partitions. Implementations must be safe to call from many partition actors
/// at once and may combine concurrent writes into one round trip (group commit), as long as
/// each call returns only after its own write is committed.
/// </summary>
public interface IPartitionJournal
{
    /// <summary>
    /// Loads a partition for a new owner. With <paramref name="epoch"/> null the caller claims
    /// the partition on its own (single node): the journal bumps the stored epoch and returns it,
    /// fencing off any earlier owner. With an epoch (assigned by the cluster manager) the journal
    /// checks it is still current.
    /// </summary>
    /// <exception cref="JournalFencedException">The given epoch is no longer current.</exception>
    /// <exception cref="JournalUnavailableException">The store cannot be reached.</exception>
    Task<PartitionRecovery> RecoverAsync(PartitionId partition, long? epoch, int tailMessages, CancellationToken cancellationToken);

    /// <summary>
    /// Commits <paramref name="write"/> atomically if <paramref name="epoch"/> is still the
    /// partition's epoch (checked in the same transaction), and returns after the commit.
    /// </summary>
    /// <exception cref="JournalFencedException">Another owner holds a newer epoch; nothing was written.</exception>
    /// <exception cref="JournalUnavailableException">The store cannot be reached; the outcome may be unknown.</exception>
    Task WriteAsync(PartitionId partition, long epoch, PartitionWrite write, CancellationToken cancellationToken);

    /// <summary>Committed messages from <paramref name="fromOffset"/> on, at most <paramref name="max"/>, in offset order.</summary>
    Task<IReadOnlyList<StoredMessage>> ReadAsync(PartitionId partition, long fromOffset, int max, CancellationToken cancellationToken);
}
