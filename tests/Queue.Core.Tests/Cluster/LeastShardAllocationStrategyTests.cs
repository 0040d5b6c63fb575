using Queue.Core.Cluster;

namespace Queue.Core.Tests.Cluster;

public sealed class LeastShardAllocationStrategyTests
{
    private readonly LeastShardAllocationStrategy _strategy = new();

    private static Dictionary<string, IReadOnlyList<int>> Load(params (string Broker, int[] Shards)[] brokers) =>
        brokers.ToDictionary(b => b.Broker, b => (IReadOnlyList<int>)b.Shards.ToList());

    [Fact]
    public void A_new_shard_goes_to_the_least_loaded_broker_ties_to_the_smallest_id()
    {
        Assert.Equal("b", _strategy.AllocateShard(9, Load(("a", [1, 2]), ("b", [3]), ("c", [4, 5]))));
        Assert.Equal("a", _strategy.AllocateShard(9, Load(("c", []), ("a", []), ("b", []))));
    }

    [Fact]
    public void Allocating_with_no_broker_is_an_error()
    {
        Assert.Throws<InvalidOperationException>(() => _strategy.AllocateShard(1, Load()));
    }

    [Fact]
    public void A_joining_broker_receives_shards_a_bounded_number_at_a_time()
    {
        var load = Load(("a", [0, 1, 2, 3, 4, 5]), ("b", [6, 7, 8, 9, 10, 11]), ("c", []));
        var first = _strategy.Rebalance(load, new HashSet<int>(), maxSimultaneous: 2);
        Assert.Equal(2, first.Count);

        // With those two still moving, nothing more may start at a limit of 2.
        Assert.Empty(_strategy.Rebalance(load, first.ToHashSet(), maxSimultaneous: 2));
    }

    [Fact]
    public void Rebalancing_repeatedly_evens_the_load_and_then_stops()
    {
        var owners = new Dictionary<int, string>();
        for (var s = 0; s < 12; s++)
        {
            owners[s] = s < 6 ? "a" : "b";
        }
        var brokers = new[] { "a", "b", "c", "d" };
        for (var round = 0; round < 20; round++)
        {
            var load = brokers.ToDictionary(b => b, b => (IReadOnlyList<int>)owners.Where(kv => kv.Value == b).Select(kv => kv.Key).ToList());
            var moves = _strategy.Rebalance(load, new HashSet<int>(), maxSimultaneous: 1);
            if (moves.Count == 0)
            {
                break;
            }
            foreach (var shard in moves)
            {
                owners[shard] = _strategy.AllocateShard(shard, load.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<int>)kv.Value.Where(x => x != shard).ToList()));
            }
        }
        var counts = brokers.Select(b => owners.Values.Count(o => o == b)).ToList();
        Assert.Equal([3, 3, 3, 3], counts);
    }

    [Fact]
    public void A_balanced_cluster_moves_nothing()
    {
        Assert.Empty(_strategy.Rebalance(Load(("a", [1, 2]), ("b", [3]), ("c", [4, 5])), new HashSet<int>(), 10));
    }
}
