namespace Queue.Core.Configuration;

/// <summary>
/// Everything a node reads from configuration, bound once at start-up (see
/// <see cref="QueueSettingsBinder"/>) and immutable afterwards. Defaults equal hocon/reference.conf.
/// </summary>
public sealed record QueueSettings
{
    public NodeSettings Node { get; init; } = new();

    public HttpSettings Http { get; init; } = new();

    public LimitSettings Limits { get; init; } = new();

    public PartitionSettings Partition { get; init; } = new();

    public JournalSettings Journal { get; init; } = new();

    public TransportSettings Transport { get; init; } = new();

    public ClusterSettings Cluster { get; init; } = new();

    /// <summary>The whole merged HOCON (akka.* and queue.*), handed to the actor system as its configuration.</summary>
    public Akka.Configuration.Config Hocon { get; init; } = Akka.Configuration.Config.Empty;

    /// <summary>Cluster mode: the node joins others through seed nodes instead of running alone.</summary>
    public bool IsClustered => Node.SeedNodes.Count > 0;
}
