namespace Queue.Core.Configuration;

/// <summary>queue.cluster: membership, failure detection, the manager lease and sharding. Defaults mirror hocon/reference.conf.</summary>
public sealed record ClusterSettings
{
    public int Shards { get; init; } = 60;

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan UnreachableAfter { get; init; } = TimeSpan.FromMilliseconds(1500);

    public TimeSpan DownAfter { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan LeaseSafetyMargin { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RebalanceInterval { get; init; } = TimeSpan.FromSeconds(2);

    public int MaxSimultaneousRebalance { get; init; } = 3;

    public TimeSpan HandOffTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
