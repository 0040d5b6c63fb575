namespace Queue.Client;

/// <summary>One partition's log bounds: offsets from <see cref="LogStart"/> up to, not including, <see cref="HighWatermark"/> are readable.</summary>
/// <param name="Partition">The partition number.</param>
/// <param name="LogStart">Offset of the oldest message still in the log.</param>
/// <param name="HighWatermark">The offset the next message will get.</param>
public sealed record PartitionDescription(int Partition, long LogStart, long HighWatermark);
