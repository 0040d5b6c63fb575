using Queue.Core.Log;

namespace Queue.Core.Journal;

/// <summary>
/// Everything one partition commits at once: new messages (offsets already assigned, dense,
/// continuing the log) and consumer position moves. The journal applies all of it or none.
/// </summary>
public sealed record PartitionWrite(IReadOnlyList<StoredMessage> Messages, IReadOnlyList<ConsumerPosition> Positions)
{
    public bool IsEmpty => Messages.Count == 0 && Positions.Count == 0;
}
