using Queue.Core.Cluster;

namespace Queue.Core.Tests.Cluster;

public sealed class CoordinatorStateTests
{
    [Fact]
    public void Allocation_and_deallocation_follow_epochs()
    {
        var state = CoordinatorState.Empty
            .Updated(new ShardAllocated(1, "a", 1))
            .Updated(new ShardAllocated(1, "b", 2));
        Assert.Equal(new ShardAllocation(1, "b", 2), state.Allocations[1]);
        Assert.Equal(3, state.NextEpoch(1));

        state = state.Updated(new ShardDeallocated(1, 2));
        Assert.False(state.Allocations.ContainsKey(1));
        // The epoch is remembered after deallocation, so the next owner still gets a newer one.
        Assert.Equal(3, state.NextEpoch(1));
    }

    [Fact]
    public void Replaying_duplicate_or_stale_events_changes_nothing_and_never_throws()
    {
        var events = new CoordinatorEvent[]
        {
            new ShardAllocated(1, "a", 1),
            new ShardAllocated(1, "b", 2),
            new ShardAllocated(1, "a", 1),   // stale
            new ShardAllocated(1, "b", 2),   // duplicate
            new ShardDeallocated(1, 1),      // stale
        };
        var state = events.Aggregate(CoordinatorState.Empty, (s, e) => s.Updated(e));
        Assert.Equal(new ShardAllocation(1, "b", 2), state.Allocations[1]);
    }

    [Fact]
    public void Shards_by_broker_lists_brokers_without_shards_too()
    {
        var state = CoordinatorState.Empty.Updated(new ShardAllocated(3, "a", 1)).Updated(new ShardAllocated(4, "gone", 1));
        var load = state.ShardsByBroker(["a", "b"]);
        Assert.Equal([3], load["a"]);
        Assert.Empty(load["b"]);
        Assert.False(load.ContainsKey("gone"));
    }
}
