namespace Queue.Core.Cluster;

/// <summary>
/// Gives a new shard to the broker with the fewest shards, and rebalances by moving shards from
/// the most to the least loaded broker while they differ by more than one. Deterministic: ties
/// go to the smallest node id, and the shards chosen to move are the highest-numbered ones, so
/// two managers looking at the same state decide the same thing.
/// </summary>
public sealed class LeastShardAllocationStrategy : IShardAllocationStrategy
{
    public string AllocateShard(int shard, IReadOnlyDictionary<string, IReadOnlyList<int>> shardsByBroker)
    {
        if (shardsByBroker.Count == 0)
        {
            throw new InvalidOperationException("no broker can take shards");
        }
        return shardsByBroker
            .OrderBy(kv => kv.Value.Count)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .First().Key;
    }

    public IReadOnlySet<int> Rebalance(IReadOnlyDictionary<string, IReadOnlyList<int>> shardsByBroker, IReadOnlySet<int> inProgress, int maxSimultaneous)
    {
        var budget = maxSimultaneous - inProgress.Count;
        var chosen = new HashSet<int>();
        if (budget <= 0 || shardsByBroker.Count < 2)
        {
            return chosen;
        }
        // Plan on counts as they will be once the moves in progress and those chosen here land.
        var load = shardsByBroker.ToDictionary(kv => kv.Key, kv => kv.Value.Where(s => !inProgress.Contains(s)).OrderByDescending(s => s).ToList(), StringComparer.Ordinal);
        var arriving = shardsByBroker.Keys.ToDictionary(k => k, _ => 0, StringComparer.Ordinal);
        while (chosen.Count < budget)
        {
            var most = load.OrderByDescending(kv => kv.Value.Count).ThenBy(kv => kv.Key, StringComparer.Ordinal).First();
            var least = load.OrderBy(kv => kv.Value.Count + arriving[kv.Key]).ThenBy(kv => kv.Key, StringComparer.Ordinal).First();
            if (most.Value.Count - (least.Value.Count + arriving[least.Key]) <= 1 || most.Value.Count == 0)
            {
                break;
            }
            var shard = most.Value[0];
            most.Value.RemoveAt(0);
            arriving[least.Key]++;
            chosen.Add(shard);
        }
        return chosen;
    }
}
