using Queue.Core.Cluster;
using Queue.Core.Configuration;
using Queue.Core.Edge;
using Queue.Core.Protocol;
using Queue.Core.Transport;

namespace Queue.Http.Cluster;

/// <summary>The cluster as a clustered node sees it: routing from its own table, members from the manager.</summary>
public sealed class ClusterView(MembershipClient membership, RoutingTableHolder routing, TransportClientPool peers, QueueSettings settings, Func<bool>? localHealth = null) : IClusterView
{
    public bool IsReady => membership.IsReady && (localHealth?.Invoke() ?? true);

    public string ReadinessDetail =>
        membership.Manager.NodeId.Length == 0 ? "no manager found yet"
        : !membership.IsReady ? $"not registered with manager {membership.Manager.NodeId} or no routing table yet"
        : localHealth?.Invoke() == false ? "the database cannot be reached"
        : "ready";

    public RoutingTable Routing => routing.Current;

    public async Task<ClusterState> GetStateAsync(CancellationToken cancellationToken)
    {
        var manager = membership.Manager;
        if (manager.NodeId.Length == 0)
        {
            throw new QueueException(QueueErrorKind.Unavailable, "no manager is known right now; retry shortly");
        }
        try
        {
            return (ClusterState)(await peers.Get(manager.Address).RequestAsync(new GetClusterState(), settings.Http.RequestTimeout, cancellationToken))!;
        }
        catch (TransportUnavailableException ex)
        {
            throw new QueueException(QueueErrorKind.Unavailable, $"the manager {manager.NodeId} cannot be reached: {ex.Message}", ex);
        }
    }
}
