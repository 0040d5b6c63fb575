using Queue.Core.Journal;
using Queue.Core.Log;

namespace Queue.Core.Protocol;

// What a partition journals. One event is one group commit: every message appended and every
// consumer position moved by the requests that arrived while the previous write was in flight.
// Persisting the batch as one event (not one event per message) is what makes the journal fast:
// akka-notes.md measured one event per message at < 1 % of a raw COPY and one event per batch at
// 75-100 %.

/// <summary>
/// One committed batch. <see cref="Messages"/> have dense offsets continuing the log;
/// <see cref="Sequences"/> are the idempotent producer batches this write completes.
/// </summary>
public sealed record PartitionBatchCommitted(
    IReadOnlyList<StoredMessage> Messages,
    IReadOnlyList<ConsumerPosition> Positions,
    IReadOnlyList<ProducerBatchRecord> Sequences) : IQueueMessage;

/// <summary>
/// A journal sequence number at which a known offset starts, so a message older than the
/// in-memory tail is read from the journal by sequence range instead of by a replay. Every event
/// before <see cref="SequenceNr"/> holds only offsets below <see cref="FirstOffset"/>, which also
/// makes an entry a place where the journal can be cut when retention moves the log start past it.
/// </summary>
/// <param name="MaxTicksBefore">
/// The newest timestamp (UTC ticks) among the messages before <see cref="FirstOffset"/>, so
/// time-based retention knows those messages' age without reading them; 0 when unknown (written
/// before retention existed: the partition then assumes the time it recovered).
/// </param>
public readonly record struct OffsetIndexEntry(long FirstOffset, long SequenceNr, long MaxTicksBefore = 0);

/// <summary>
/// Everything a partition needs to serve again without replaying its log: positions, producer
/// sequences and the sparse offset index. Messages are not in it; the newest ones come back with
/// the events after the snapshot, older ones are read from the journal on demand.
/// <see cref="LogStart"/> is what retention has let go of: the journal events before it may be
/// deleted only once a snapshot holding it is saved (docs/retention.md).
/// </summary>
/// <param name="MaxTimestampTicks">The newest message timestamp (UTC ticks) up to <see cref="HighWatermark"/>; 0 when unknown (format version 1).</param>
public sealed record PartitionSnapshot(
    long LogStart,
    long HighWatermark,
    IReadOnlyList<ConsumerPosition> Positions,
    IReadOnlyList<ProducerBatchRecord> Sequences,
    IReadOnlyList<OffsetIndexEntry> Index,
    long MaxTimestampTicks = 0) : IQueueMessage;
