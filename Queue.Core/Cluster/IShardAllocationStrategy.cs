namespace Queue.Core.Cluster;

/// <summary>
/// Policy only: decides from the allocations it is handed, holds no state, does no I/O, so it
/// can be swapped and unit-tested alone (Akka's IShardAllocationStrategy).
/// </summary>
public interface IShardAllocationStrategy
{
    /// <summary>
    /// The broker that should own <paramref name="shard"/>, chosen among the keys of
    /// <paramref name="shardsByBroker"/> (every broker that can take shards, even with none yet).
    /// </summary>
    string AllocateShard(int shard, IReadOnlyDictionary<string, IReadOnlyList<int>> shardsByBroker);

    /// <summary>
    /// Shards to move now to even out the load; never more than
    /// <paramref name="maxSimultaneous"/> minus those already moving.
    /// </summary>
    IReadOnlySet<int> Rebalance(IReadOnlyDictionary<string, IReadOnlyList<int>> shardsByBroker, IReadOnlySet<int> inProgress, int maxSimultaneous);
}
