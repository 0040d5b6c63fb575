using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Queue.Core.Cluster;
using Queue.Core.Configuration;
using Queue.Core.Edge;
using Queue.Core.Protocol;

namespace Queue.Http.Cluster;

/// <summary>
/// What the admin endpoints show, read from Akka's own state: membership and reachability from
/// Akka.Cluster, the manager's node from the singleton's placement rule (the oldest member with
/// the broker role), partition owners from sharding's state query.
/// </summary>
public sealed class ClusterView(ActorSystem system, IQueueBackend backend, QueueSettings settings, Akka.Hosting.IActorRegistry registry, IEnumerable<IReadinessCheck> checks)
{
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(system);
    private DateTime _catalogueCheckedAt = DateTime.MinValue;
    private bool _catalogueAnswered;

    public Akka.Cluster.Cluster Cluster => _cluster;

    public QueueSettings Settings => settings;

    /// <summary>Ready: this node is an Up member, its own checks pass (a broker's journal database answers) and the catalogue (the manager) answers.</summary>
    public async Task<(bool Ready, string Detail)> ReadinessAsync(CancellationToken cancellationToken)
    {
        if (_cluster.SelfMember.Status != MemberStatus.Up)
        {
            return (false, $"not an Up member of the cluster yet (status {_cluster.SelfMember.Status.ToString().ToLowerInvariant()})");
        }
        foreach (var check in checks)
        {
            if (check.WhyNotReady is { } problem)
            {
                return (false, problem);
            }
        }
        // One check per second at most: /ready is polled by orchestrators and must stay cheap.
        if (DateTime.UtcNow - _catalogueCheckedAt > TimeSpan.FromSeconds(1) || !_catalogueAnswered)
        {
            try
            {
                await backend.AskCatalogueAsync(GetHealth.Instance, TimeSpan.FromSeconds(2), cancellationToken);
                _catalogueAnswered = true;
            }
            catch (QueueException)
            {
                _catalogueAnswered = false;
            }
            _catalogueCheckedAt = DateTime.UtcNow;
        }
        return _catalogueAnswered ? (true, "serving") : (false, "no manager is reachable right now (the catalogue singleton did not answer)");
    }

    /// <summary>The member the catalogue singleton runs on: the oldest Up broker.</summary>
    public Member? Manager =>
        _cluster.State.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(QueueCluster.BrokerRole))
            .OrderBy(m => m, Member.AgeOrdering).FirstOrDefault();

    public bool IsUnreachable(Member member) => _cluster.State.Unreachable.Contains(member);

    /// <summary>Shard id → node id of the broker hosting it, from sharding's own statistics.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ShardOwnersAsync(CancellationToken cancellationToken)
    {
        var region = registry.Get<QueueCluster.PartitionsKey>();
        var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(TimeSpan.FromSeconds(3)), TimeSpan.FromSeconds(5), cancellationToken);
        var byAddress = _cluster.State.Members.ToDictionary(m => m.Address, QueueCluster.NodeIdOf);
        var owners = new Dictionary<string, string>();
        foreach (var (address, regionStats) in stats.Regions)
        {
            var node = byAddress.GetValueOrDefault(address) ?? $"{address.Host}:{address.Port}";
            foreach (var shard in regionStats.Stats.Keys)
            {
                owners[shard] = node;
            }
        }
        return owners;
    }

    public string ShardOf(Queue.Core.Log.PartitionId partition) =>
        new PartitionMessageExtractor(settings.Cluster.Shards).ShardId(PartitionMessageExtractor.EntityIdOf(partition), null);
}
