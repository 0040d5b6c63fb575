using Queue.Core.Actors;
using Queue.Core.Log;
using Queue.Core.Transport;

namespace Queue.Core.Cluster;

/// <summary>
/// Resolves a partition to the actor that owns it, wherever it lives: through the routing table
/// to a local actor (this node owns the shard) or to a <see cref="RemoteActorRef"/> on the owner.
/// A partition whose shard has no owner yet is "not here" (retryable after a refresh).
/// </summary>
public sealed class ClusterRouter(RoutingTableHolder routing, TransportClientPool peers, string selfNodeId, Func<PartitionId, IActorRef>? local, TimeSpan requestTimeout)
{
    public IActorRef Route(PartitionId partition)
    {
        var allocation = routing.AllocationOf(partition)
            ?? throw new NotOwnerException($"partition {partition} has no owner yet (routing table version {routing.Current.Version})");
        if (allocation.Owner == selfNodeId && local is not null)
        {
            return local(partition);
        }
        var owner = routing.MemberOf(allocation.Owner)
            ?? throw new NotOwnerException($"partition {partition} is owned by {allocation.Owner}, which is not in the routing table");
        return RemoteActorRef.ForPartition(peers.Get(owner.Address), partition, requestTimeout);
    }
}
