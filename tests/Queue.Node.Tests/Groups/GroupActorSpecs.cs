using Akka.Actor;
using Queue.Core.Configuration;
using Queue.Core.Edge;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Node.Groups;
using Queue.Node.Tests.Support;
using Xunit.Abstractions;

namespace Queue.Node.Tests.Groups;

/// <summary>A group on a real journal: membership decisions and committed offsets survive a crash of its host.</summary>
public sealed class GroupActorSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    private readonly TestJournal _journal;

    public GroupActorSpecs(ITestOutputHelper output) : this(TestJournal.Memory(), output)
    {
    }

    private GroupActorSpecs(TestJournal journal, ITestOutputHelper output) : base(journal.Config, output: output) => _journal = journal;

    private static GroupEnvelope To(IQueueMessage message) => new("svc", message, 0);

    [Theory]
    // 2: recovery from a snapshot (older events deleted) plus events; 1000: from events alone.
    [InlineData(2)]
    [InlineData(1000)]
    public void After_a_crash_members_generation_and_committed_offsets_are_recovered(int snapshotEvery)
    {
        // Long sessions: nobody may expire while the test runs, however loaded the machine.
        var settings = new GroupSettings { SnapshotEvery = snapshotEvery };
        var group = Sys.ActorOf(GroupActor.Props("svc", settings));
        group.Tell(To(new JoinGroup("orders", 4, 600_000, StartFrom.Earliest)), TestActor);
        var a = ExpectMsg<GroupAssignment>(Long);
        group.Tell(To(new JoinGroup("orders", 4, 600_000, StartFrom.Earliest)), TestActor);
        var b = ExpectMsg<GroupAssignment>(Long);
        group.Tell(To(new GroupHeartbeat(a.MemberId)), TestActor);
        a = ExpectMsg<GroupAssignment>(Long);
        Assert.Equal(b.Generation, a.Generation);
        group.Tell(To(new CommitGroupOffsets(a.MemberId, a.Generation, [new(a.Partitions[0], 7)], false)), TestActor);
        ExpectMsg<GroupDescribed>(Long);
        group.Tell(To(new CommitGroupOffsets(b.MemberId, b.Generation, [new(b.Partitions[0], 3)], false)), TestActor);
        ExpectMsg<GroupDescribed>(Long);
        group.Tell(To(DescribeGroup.Instance), TestActor);
        var before = ExpectMsg<GroupDescribed>(Long);

        Watch(group);
        group.Tell(Kill.Instance);
        ExpectTerminated(group, Long);
        var again = Sys.ActorOf(GroupActor.Props("svc", settings));

        again.Tell(To(DescribeGroup.Instance), TestActor);
        var after = ExpectMsg<GroupDescribed>(Long);
        Assert.Equal(before.Generation, after.Generation);
        Assert.Equal(before.Committed, after.Committed);
        Assert.Equal(before.Members.Select(m => (m.MemberId, string.Join(",", m.Partitions))), after.Members.Select(m => (m.MemberId, string.Join(",", m.Partitions))));
        Assert.Contains(new GroupPartitionOffset(a.Partitions[0], 7), after.Committed);

        // The fence survives too: the generation before b joined is still refused.
        again.Tell(To(new CommitGroupOffsets(a.MemberId, a.Generation - 1, [new(a.Partitions[0], 9)], false)), TestActor);
        Assert.Equal(QueueErrorKind.Conflict, ExpectMsg<RequestFailed>(Long).Kind);
    }

    [Fact]
    public void A_member_without_heartbeats_expires_and_the_other_gets_its_partitions()
    {
        var group = Sys.ActorOf(GroupActor.Props("svc", new GroupSettings { MinSessionTimeout = TimeSpan.FromMilliseconds(200) }));
        group.Tell(To(new JoinGroup("orders", 3, 600_000, StartFrom.Latest)), TestActor);
        var live = ExpectMsg<GroupAssignment>(Long);
        group.Tell(To(new JoinGroup("orders", 3, 300, StartFrom.Latest)), TestActor);
        ExpectMsg<GroupAssignment>(Long);

        AwaitAssert(() =>
        {
            group.Tell(To(new GroupHeartbeat(live.MemberId)), TestActor);
            Assert.Equal([0, 1, 2], ExpectMsg<GroupAssignment>(Long).Partitions);
        }, Long, TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_join_retried_under_its_chosen_id_even_after_a_crash_answers_the_first_membership()
    {
        var group = Sys.ActorOf(GroupActor.Props("retry", new GroupSettings()));
        group.Tell(new GroupEnvelope("retry", new JoinGroup("orders", 4, 600_000, StartFrom.Earliest, "m1"), 0), TestActor);
        var first = ExpectMsg<GroupAssignment>(Long);
        Assert.Equal("m1", first.MemberId);

        // The broker crashed before the answer left: the retry reaches a recovered entity.
        Watch(group);
        group.Tell(Kill.Instance);
        ExpectTerminated(group, Long);
        var again = Sys.ActorOf(GroupActor.Props("retry", new GroupSettings()));
        again.Tell(new GroupEnvelope("retry", new JoinGroup("orders", 4, 600_000, StartFrom.Earliest, "m1"), 0), TestActor);
        var retried = ExpectMsg<GroupAssignment>(Long);
        Assert.Equal((first.MemberId, first.Generation, string.Join(",", first.Partitions)), (retried.MemberId, retried.Generation, string.Join(",", retried.Partitions)));
        again.Tell(new GroupEnvelope("retry", DescribeGroup.Instance, 0), TestActor);
        Assert.Single(ExpectMsg<GroupDescribed>(Long).Members);

        // The same id for another topic is not a retry: the group consumes one topic.
        again.Tell(new GroupEnvelope("retry", new JoinGroup("other", 1, 600_000, StartFrom.Earliest, "m1"), 0), TestActor);
        Assert.Equal(QueueErrorKind.Conflict, ExpectMsg<RequestFailed>(Long).Kind);
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _journal.Dispose();
    }
}
