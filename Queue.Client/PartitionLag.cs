namespace Queue.Client;

/// <summary>A consumer's committed position in one partition and how far behind the end it is.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Position">The next offset the consumer will read (its committed position).</param>
/// <param name="HighWatermark">The offset the partition will assign next.</param>
/// <param name="Lag">Committed messages after the position: what is left to read.</param>
public sealed record PartitionLag(int Partition, long Position, long HighWatermark, long Lag);
