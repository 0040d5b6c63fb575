using Queue.Core.Edge;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Node.Groups;
using Xunit;

namespace Queue.Node.Tests.Groups;

public sealed class GroupStateTests
{
    private static GroupMemberJoined Join(string id, int partitions = 6) => new(id, "orders", partitions, 10_000, StartFrom.Earliest);

    private static void AssertPartitionsOwnedOnce(GroupState state)
    {
        var all = state.Members.SelectMany(m => m.Partitions).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        if (state.Members.Count > 0)
        {
            Assert.Equal(Enumerable.Range(0, state.Partitions), all.Order());
            var counts = state.Members.Select(m => m.Partitions.Count).ToList();
            Assert.True(counts.Max() - counts.Min() <= 1, $"unbalanced: {string.Join(",", counts)}");
        }
    }

    [Fact]
    public void First_member_gets_every_partition_and_the_generation_moves_with_each_change()
    {
        var state = new GroupState();
        state.Apply(Join("a"));
        Assert.Equal(1, state.Generation);
        Assert.Equal([0, 1, 2, 3, 4, 5], state.Find("a")!.Partitions);

        state.Apply(Join("b"));
        Assert.Equal(2, state.Generation);
        AssertPartitionsOwnedOnce(state);
        // Sticky: a keeps the three it had lowest, b takes the freed ones.
        Assert.Equal([0, 1, 2], state.Find("a")!.Partitions);
        Assert.Equal([3, 4, 5], state.Find("b")!.Partitions);

        state.Apply(new GroupOffsetsCommitted([new(0, 5)]));
        Assert.Equal(2, state.Generation);
    }

    [Fact]
    public void A_rebalance_moves_only_what_balance_needs()
    {
        var state = new GroupState();
        foreach (var id in new[] { "a", "b", "c" })
        {
            state.Apply(Join(id, 7));
        }
        AssertPartitionsOwnedOnce(state);
        var before = state.Members.ToDictionary(m => m.Id, m => m.Partitions.ToList());

        state.Apply(new GroupMembersRemoved(["b"], true));
        AssertPartitionsOwnedOnce(state);
        // a and c keep everything they had; only b's partitions moved.
        Assert.Superset(before["a"].ToHashSet(), state.Find("a")!.Partitions.ToHashSet());
        Assert.Superset(before["c"].ToHashSet(), state.Find("c")!.Partitions.ToHashSet());

        var owners = state.Members.SelectMany(m => m.Partitions.Select(p => (p, m.Id))).ToDictionary();
        state.Apply(Join("d", 7));
        AssertPartitionsOwnedOnce(state);
        var moved = state.Members.SelectMany(m => m.Partitions.Where(p => owners[p] != m.Id)).Count();
        // d takes ⌊7/3⌋ = 2 partitions and nothing else moves.
        Assert.Equal(2, moved);
        Assert.Equal(2, state.Find("d")!.Partitions.Count);
    }

    [Fact]
    public void Random_histories_never_give_a_partition_to_two_members_and_stay_balanced()
    {
        var random = new Random(1234);
        for (var run = 0; run < 200; run++)
        {
            var state = new GroupState();
            var partitions = random.Next(1, 20);
            var next = 0;
            for (var step = 0; step < 30; step++)
            {
                var generation = state.Generation;
                if (state.Members.Count == 0 || random.Next(3) > 0)
                {
                    state.Apply(Join($"m{next++}", partitions));
                }
                else
                {
                    var victim = state.Members[random.Next(state.Members.Count)].Id;
                    state.Apply(new GroupMembersRemoved([victim], random.Next(2) == 0));
                }
                Assert.Equal(generation + 1, state.Generation);
                AssertPartitionsOwnedOnce(state);
            }
        }
    }

    [Fact]
    public void Commits_from_an_older_generation_or_for_partitions_not_owned_are_refused()
    {
        var state = new GroupState();
        state.Apply(Join("a"));
        state.Apply(Join("b"));
        Assert.Null(state.RefuseCommit(new CommitGroupOffsets("a", 2, [new(0, 3)], false)));

        var zombie = state.RefuseCommit(new CommitGroupOffsets("a", 1, [new(0, 3)], false));
        Assert.Equal(QueueErrorKind.Conflict, zombie!.Kind);
        Assert.Contains("generation", zombie.Message);

        Assert.Equal(QueueErrorKind.Conflict, state.RefuseCommit(new CommitGroupOffsets("a", 2, [new(4, 3)], false))!.Kind);
        Assert.Equal(QueueErrorKind.NotFound, state.RefuseCommit(new CommitGroupOffsets("x", 2, [new(0, 3)], false))!.Kind);
    }

    [Fact]
    public void A_group_consumes_one_topic_and_has_a_member_limit()
    {
        var state = new GroupState();
        state.Apply(Join("a"));
        Assert.Equal(QueueErrorKind.Conflict, state.RefuseJoin(new JoinGroup("other", 6, 1000, StartFrom.Latest), 10)!.Kind);
        Assert.Null(state.RefuseJoin(new JoinGroup("orders", 6, 1000, StartFrom.Latest), 10));
        Assert.Equal(QueueErrorKind.Conflict, state.RefuseJoin(new JoinGroup("orders", 6, 1000, StartFrom.Latest), 1)!.Kind);
    }

    [Fact]
    public void Snapshot_and_replay_agree_and_replaying_an_event_twice_changes_nothing()
    {
        var state = new GroupState();
        IQueueMessage[] events = [Join("a"), Join("b"), new GroupOffsetsCommitted([new(1, 9), new(4, 2)]), Join("c"), new GroupMembersRemoved(["a"], false)];
        foreach (var e in events)
        {
            state.Apply(e);
        }
        var copy = GroupState.FromSnapshot(state.ToSnapshot());
        Assert.Equal(state.Describe().Generation, copy.Describe().Generation);
        Assert.Equal(state.Describe().Members.Select(m => (m.MemberId, string.Join(",", m.Partitions))),
            copy.Describe().Members.Select(m => (m.MemberId, string.Join(",", m.Partitions))));
        Assert.Equal(state.Describe().Committed, copy.Describe().Committed);

        var generation = state.Generation;
        state.Apply(Join("b"));
        state.Apply(new GroupMembersRemoved(["a"], false));
        Assert.Equal(generation, state.Generation);
    }
}
