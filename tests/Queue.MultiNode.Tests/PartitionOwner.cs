namespace Queue.MultiNode.Tests;

/// <summary>One row of /cluster/partitions: the partition's shard and owner (null until sharding allocates the shard on first use).</summary>
public sealed record PartitionOwner(int Shard, string? Owner);
