using System.Collections.Concurrent;
using Queue.Core.Cluster;
using Queue.Core.Log;
using Queue.Core.Transport;
using Queue.Node.Partitions;

namespace Queue.Node.Cluster;

/// <summary>
/// Which partitions this broker may serve, by the routing table: those whose shard the table gives
/// to this node, minus shards it has handed off under their current epoch (a hand-off ends this
/// node's ownership before the table says so, so no request slips in behind it).
/// </summary>
internal sealed class ClusterOwnership(RoutingTableHolder routing, string selfNodeId) : IPartitionOwnership
{
    private readonly ConcurrentDictionary<int, long> _handedOff = new();

    public long? EpochFor(PartitionId partition) => Require(partition).Epoch;

    /// <summary>The allocation under which this node serves <paramref name="partition"/>.</summary>
    /// <exception cref="NotOwnerException">Another node owns it, nobody does yet, or it was handed off.</exception>
    public ShardAllocation Require(PartitionId partition)
    {
        var allocation = routing.AllocationOf(partition);
        if (allocation is null)
        {
            throw new NotOwnerException($"partition {partition} has no owner yet");
        }
        if (allocation.Owner != selfNodeId)
        {
            throw new NotOwnerException($"partition {partition} is owned by {allocation.Owner}, not {selfNodeId}");
        }
        if (_handedOff.TryGetValue(allocation.Shard, out var epoch) && epoch == allocation.Epoch)
        {
            throw new NotOwnerException($"partition {partition} is being handed off by {selfNodeId}");
        }
        return allocation;
    }

    /// <summary>From now on this node refuses the shard under <paramref name="epoch"/>.</summary>
    public void HandOff(int shard, long epoch) => _handedOff[shard] = epoch;
}
