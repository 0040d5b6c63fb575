namespace Queue.Core.Edge;

/// <summary>A consumer's committed position (next offset to read) in one partition, beside the partition's end.</summary>
public sealed record PartitionPosition(int Partition, long Position, long HighWatermark)
{
    /// <summary>Messages committed after the position: what is left to read.</summary>
    public long Lag => Math.Max(0, HighWatermark - Position);
}
