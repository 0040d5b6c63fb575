using Queue.Core.Cluster;

namespace Queue.Core.Tests.Cluster;

public sealed class MembershipStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly HealthPolicy Policy = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));

    [Fact]
    public void Silence_makes_a_member_unreachable_then_down_and_a_heartbeat_before_down_heals_it()
    {
        var state = MembershipState.Empty.Registered("a", "h:1", ["broker"], "http://h:2", T0);

        var (s1, changed1) = state.Reassess(T0.AddSeconds(3), Policy);
        Assert.Equal(MemberStatus.Unreachable, s1.Members["a"].Status);
        Assert.Single(changed1);

        var (s2, known) = s1.Heartbeat("a", T0.AddSeconds(3.5));
        Assert.True(known);
        Assert.Equal(MemberStatus.Up, s2.Members["a"].Status);

        var (s3, _) = s2.Reassess(T0.AddSeconds(10), Policy);
        Assert.Equal(MemberStatus.Down, s3.Members["a"].Status);
        Assert.Empty(s3.ShardHosts);
    }

    [Fact]
    public void A_down_member_must_register_again_before_its_heartbeats_count()
    {
        var state = MembershipState.Empty.Registered("a", "h:1", ["broker"], "", T0);
        var (down, _) = state.Reassess(T0.AddSeconds(10), Policy);
        var (after, known) = down.Heartbeat("a", T0.AddSeconds(11));
        Assert.False(known);
        Assert.Equal(MemberStatus.Down, after.Members["a"].Status);

        var back = after.Registered("a", "h:1", ["broker"], "", T0.AddSeconds(12));
        Assert.Equal(["a"], back.ShardHosts);
    }

    [Fact]
    public void Only_up_brokers_host_shards()
    {
        var state = MembershipState.Empty
            .Registered("a", "h:1", ["broker"], "", T0)
            .Registered("e", "h:3", ["edge"], "", T0)
            .Registered("b", "h:2", ["broker", "edge"], "", T0)
            .Left("b");
        Assert.Equal(["a"], state.ShardHosts);
    }

    [Fact]
    public void A_fresh_window_revives_silent_members_but_not_down_or_departed_ones()
    {
        var state = MembershipState.Empty
            .Registered("a", "h:1", ["broker"], "", T0)
            .Registered("b", "h:2", ["broker"], "", T0.AddSeconds(-3))
            .Registered("c", "h:3", ["broker"], "", T0.AddSeconds(-10))
            .Registered("d", "h:4", ["broker"], "", T0)
            .Left("d");
        var (judged, _) = state.Reassess(T0, Policy);
        Assert.Equal(MemberStatus.Unreachable, judged.Members["b"].Status);
        Assert.Equal(MemberStatus.Down, judged.Members["c"].Status);

        var later = T0.AddSeconds(30);
        var (refreshed, changed) = judged.Refreshed(later).Reassess(later.AddSeconds(1), Policy);
        Assert.Empty(changed);
        Assert.Equal(MemberStatus.Up, refreshed.Members["a"].Status);
        Assert.Equal(MemberStatus.Up, refreshed.Members["b"].Status);
        Assert.Equal(later, refreshed.Members["b"].LastHeartbeat);
        Assert.Equal(MemberStatus.Down, refreshed.Members["c"].Status);
        Assert.Equal(MemberStatus.Left, refreshed.Members["d"].Status);
    }
}
