using System.Text;
using Queue.Core.Journal;
using Queue.Core.Log;

namespace Queue.Node.Persistence;

/// <summary>One partition's write waiting for the group commit that will carry it.</summary>
internal sealed class PendingWrite(PartitionId partition, long epoch, PartitionWrite write)
{
    // RunContinuationsAsynchronously: the commit loop completes many writes in a row and must not
    // run a partition actor's continuation inline, or one actor would delay everyone's ack.
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PartitionId Partition { get; } = partition;

    public long Epoch { get; } = epoch;

    public PartitionWrite Write { get; } = write;

    /// <summary>Rows this write adds to a transaction (at least one: the partitions row it updates).</summary>
    public int Rows => Math.Max(1, Write.Messages.Count + Write.Positions.Count);

    /// <summary>UTF-8 bytes of the write's payloads: what it adds to a statement's size.</summary>
    public long PayloadBytes { get; } = write.Messages.Sum(m => (long)Encoding.UTF8.GetByteCount(m.Payload));

    /// <summary>Offset the write must start at, or -1 when it carries only positions (no offset to check).</summary>
    public long ExpectedHighWatermark => Write.Messages.Count > 0 ? Write.Messages[0].Offset : -1;

    /// <summary>The high-water mark after the write, or -1 when it carries only positions.</summary>
    public long NextHighWatermark => Write.Messages.Count > 0 ? Write.Messages[^1].Offset + 1 : -1;

    public Task Completion => _done.Task;

    /// <summary>True once the caller has an outcome or has given up; the loop then skips the write.</summary>
    public bool IsSettled => _done.Task.IsCompleted;

    public void Committed() => _done.TrySetResult();

    public void Fail(Exception error) => _done.TrySetException(error);
}
