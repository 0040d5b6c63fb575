namespace Queue.Core.Edge;

/// <summary>Where one partition's log starts and ends (the next offset it will assign).</summary>
public sealed record PartitionState(int Partition, long LogStart, long HighWatermark);
