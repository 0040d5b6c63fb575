using System.Text;
using Akka.Configuration;

namespace Queue.Core.Configuration;

/// <summary>
/// Everything a node reads from configuration, bound once at start-up (see
/// <see cref="QueueSettingsBinder"/>) and immutable afterwards. Defaults equal hocon/queue.conf,
/// so <c>new QueueSettings()</c> is a valid standalone node.
/// </summary>
public sealed record QueueSettings
{
    public NodeSettings Node { get; init; } = new();

    public HttpSettings Http { get; init; } = new();

    public LimitSettings Limits { get; init; } = new();

    public PartitionSettings Partition { get; init; } = new();

    public JournalSettings Journal { get; init; } = new();

    public GroupSettings Groups { get; init; } = new();

    public RetentionSettings Retention { get; init; } = new();

    public ClusterSettings Cluster { get; init; } = new();

    /// <summary>
    /// The whole merged configuration these settings were bound from (akka.* included), so the
    /// node can hand the akka.* part to Akka.Hosting. Defaults to the embedded akka.conf and
    /// queue.conf. Note that record equality compares it by reference.
    /// </summary>
    public Config Hocon { get; init; } = QueueConfiguration.Defaults;

    /// <summary>Cluster mode: the node joins others through seed nodes instead of running alone.</summary>
    public bool IsClustered => Node.SeedNodes.Count > 0;

    /// <summary>queue.cluster.lease.enabled resolved: auto means on with the postgres journal.</summary>
    public bool UsesLease => Cluster.LeaseEnabled ?? Journal.IsPostgres;

    // Settings end up in logs; the generated ToString would print the whole HOCON tree, secrets
    // (certificate password, connection string) included, and hundreds of lines of akka.*.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Node = {Node}, Http = {Http}, Limits = {Limits}, Partition = {Partition}, Journal = {Journal}, Groups = {Groups}, Retention = {Retention}, Cluster = {Cluster}");
        return true;
    }
}
