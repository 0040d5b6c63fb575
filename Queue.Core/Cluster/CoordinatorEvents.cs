namespace Queue.Core.Cluster;

// What the manager persists before it acts: the allocation state is rebuilt from these.

public abstract record CoordinatorEvent;

/// <summary>A shard got an owner under a new epoch.</summary>
public sealed record ShardAllocated(int Shard, string Owner, long Epoch) : CoordinatorEvent;

/// <summary>A shard's owner gave it up (hand-off) or was declared down; the shard has no owner until reallocated.</summary>
public sealed record ShardDeallocated(int Shard, long Epoch) : CoordinatorEvent;
