using System.Collections.Immutable;

namespace Queue.Core.Cluster;

/// <summary>
/// Immutable allocation state of the cluster: shard → owner and epoch. Changes only through
/// <see cref="Updated"/>, which tolerates duplicated or stale events (a manager replaying its
/// log after a takeover may see an event twice; Akka.NET's scars #3455/#5604), so recovery can
/// never crash on them.
/// </summary>
public sealed record CoordinatorState
{
    public static CoordinatorState Empty { get; } = new();

    public ImmutableDictionary<int, ShardAllocation> Allocations { get; init; } = ImmutableDictionary<int, ShardAllocation>.Empty;

    /// <summary>Highest epoch ever issued for each shard, owned or not: a new owner always gets more.</summary>
    public ImmutableDictionary<int, long> Epochs { get; init; } = ImmutableDictionary<int, long>.Empty;

    public long NextEpoch(int shard) => Epochs.GetValueOrDefault(shard) + 1;

    public CoordinatorState Updated(CoordinatorEvent change) => change switch
    {
        ShardAllocated a when a.Epoch > Epochs.GetValueOrDefault(a.Shard) => this with
        {
            Allocations = Allocations.SetItem(a.Shard, new ShardAllocation(a.Shard, a.Owner, a.Epoch)),
            Epochs = Epochs.SetItem(a.Shard, a.Epoch),
        },
        ShardDeallocated d when Allocations.TryGetValue(d.Shard, out var current) && current.Epoch == d.Epoch => this with
        {
            Allocations = Allocations.Remove(d.Shard),
        },
        // Stale or duplicate: already applied, or overtaken by a newer epoch.
        _ => this,
    };

    /// <summary>Shards per broker, with an empty list for brokers that own none.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<int>> ShardsByBroker(IEnumerable<string> brokers)
    {
        var result = brokers.Distinct(StringComparer.Ordinal).ToDictionary(b => b, _ => (IReadOnlyList<int>)new List<int>(), StringComparer.Ordinal);
        foreach (var allocation in Allocations.Values.OrderBy(a => a.Shard))
        {
            if (result.TryGetValue(allocation.Owner, out var shards))
            {
                ((List<int>)shards).Add(allocation.Shard);
            }
        }
        return result;
    }
}
