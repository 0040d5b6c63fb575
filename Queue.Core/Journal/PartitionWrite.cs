using Queue.Core.Log;

namespace Queue.Core.Journal;

/// <summary>
/// Everything one partition commits at once: new messages (offsets already assigned, dense,
/// continuing the log) and consumer position moves. The journal applies all of it or none.
/// </summary>
public sealed record PartitionWrite(IReadOnlyList<StoredMessage> Messages, IReadOnlyList<ConsumerPosition> Positions)
{
    /// <summary>The idempotent batches this write completes: each producer's newest sequence, committed with its messages.</summary>
    public IReadOnlyList<ProducerBatchRecord> Sequences { get; init; } = [];

    public bool IsEmpty => Messages.Count == 0 && Positions.Count == 0;
}
