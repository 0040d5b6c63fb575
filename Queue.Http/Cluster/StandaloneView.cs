using Queue.Core.Cluster;
using Queue.Core.Edge;
using Queue.Core.Protocol;

namespace Queue.Http.Cluster;

/// <summary>A single node: it is its own cluster, always ready once serving, owner of every partition.</summary>
public sealed class StandaloneView(NodeDescription node, string address, string httpAddress, TimeProvider time) : IClusterView
{
    private readonly MemberAddress _self = new(node.NodeId, address, httpAddress, node.Roles);

    public bool IsReady => true;

    public string ReadinessDetail => "ready (single node)";

    public RoutingTable Routing => new(0, 1, [], [_self]);

    public Task<ClusterState> GetStateAsync(CancellationToken cancellationToken) => Task.FromResult(new ClusterState(
        new ManagerInfo(node.NodeId, address, 0),
        [new ClusterMember(node.NodeId, address, node.Roles, httpAddress, MemberStatus.Up, time.GetUtcNow())],
        Routing));
}
