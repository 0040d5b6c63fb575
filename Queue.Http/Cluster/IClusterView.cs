using Queue.Core.Protocol;

namespace Queue.Http.Cluster;

/// <summary>What the admin endpoints show: the cluster as the manager sees it, and this node's routing.</summary>
public interface IClusterView
{
    /// <summary>Ready to route requests: a single node once started; a clustered node once registered with a routing table (and, for brokers, with its database).</summary>
    bool IsReady { get; }

    /// <summary>Why not ready, for the /ready body.</summary>
    string ReadinessDetail { get; }

    RoutingTable Routing { get; }

    Task<ClusterState> GetStateAsync(CancellationToken cancellationToken);
}
