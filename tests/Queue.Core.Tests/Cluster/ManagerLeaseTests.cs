using Queue.Core.Cluster;

namespace Queue.Core.Tests.Cluster;

public sealed class ManagerLeaseTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(1);

    [Fact]
    public void A_held_lease_is_counted_from_when_the_request_was_sent_minus_the_margin()
    {
        var lease = ManagerLease.Candidate.Held(epoch: 3, sentAt: TimeSpan.FromSeconds(10), Ttl, Margin);
        Assert.True(lease.MayAct(TimeSpan.FromSeconds(14.9)));
        Assert.False(lease.MayAct(TimeSpan.FromSeconds(15)));
        Assert.Equal(3, lease.Epoch);
    }

    [Fact]
    public void A_manager_that_cannot_renew_in_time_steps_down()
    {
        var lease = ManagerLease.Candidate.Held(1, TimeSpan.Zero, Ttl, Margin);
        Assert.Equal(ManagerPhase.Manager, lease.Tick(TimeSpan.FromSeconds(4)).Phase);
        var late = lease.Tick(TimeSpan.FromSeconds(5));
        Assert.Equal(ManagerPhase.SteppingDown, late.Phase);
        Assert.False(late.MayAct(TimeSpan.FromSeconds(5)));
        Assert.Equal(ManagerPhase.Candidate, late.Lost().Phase);
    }

    [Fact]
    public void A_candidate_never_acts()
    {
        Assert.False(ManagerLease.Candidate.MayAct(TimeSpan.Zero));
        Assert.Equal(ManagerPhase.Candidate, ManagerLease.Candidate.Tick(TimeSpan.FromHours(1)).Phase);
    }
}
