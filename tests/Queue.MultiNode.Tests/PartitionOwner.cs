namespace Queue.MultiNode.Tests;

/// <summary>One row of /cluster/partitions: the partition's shard, owner (null = none yet) and fencing epoch.</summary>
public sealed record PartitionOwner(int Shard, string? Owner, long? Epoch);
