namespace Queue.Core.Configuration;

/// <summary>
/// queue.cluster: the shard count and the lease. Failure detection, downing and rebalancing are
/// akka.* keys (hocon/akka.conf). Defaults mirror hocon/queue.conf.
/// </summary>
public sealed record ClusterSettings
{
    /// <summary>Number of shards; fixed for the life of a cluster.</summary>
    public int Shards { get; init; } = 60;

    /// <summary>
    /// queue.cluster.lease.enabled: on, off, or null for auto (on with the postgres journal);
    /// <see cref="QueueSettings.UsesLease"/> resolves it.
    /// </summary>
    public bool? LeaseEnabled { get; init; }

    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(6);

    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(1);

    // The properties below are no longer configurable (their queue.cluster.* keys moved to akka.*).
    // They are kept, unbound, only so Queue.Core/Cluster and Queue.Node compile until those are
    // deleted; do not use them in new code.

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan UnreachableAfter { get; init; } = TimeSpan.FromMilliseconds(1500);

    public TimeSpan DownAfter { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan LeaseSafetyMargin { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RebalanceInterval { get; init; } = TimeSpan.FromSeconds(2);

    public int MaxSimultaneousRebalance { get; init; } = 3;

    public TimeSpan HandOffTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
