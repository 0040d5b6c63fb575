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

    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromMilliseconds(750);

    /// <summary>queue.cluster.crash-downing: down a member at once when its port refuses connections (see <see cref="Cluster.CrashDowning"/>).</summary>
    public bool CrashDowning { get; init; } = true;

    /// <summary>queue.cluster.crash-probe-timeout: how long one connection probe of a suspect member may take.</summary>
    public TimeSpan CrashProbeTimeout { get; init; } = TimeSpan.FromMilliseconds(500);
}
