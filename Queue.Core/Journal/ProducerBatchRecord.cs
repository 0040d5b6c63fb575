namespace Queue.Core.Journal;

/// <summary>
/// A producer's last idempotent batch in one partition: its sequence number and where it landed.
/// Journaled with the batch itself, so a retry after a crash is still recognised.
/// </summary>
public readonly record struct ProducerBatchRecord(long ProducerId, long Sequence, long FirstOffset, int Count);
