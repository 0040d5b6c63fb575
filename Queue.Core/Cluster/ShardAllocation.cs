namespace Queue.Core.Cluster;

/// <summary>
/// Who owns a shard, under which epoch. The epoch grows with every change of owner and is the
/// fencing token the journal checks on every write.
/// </summary>
public sealed record ShardAllocation(int Shard, string Owner, long Epoch);
