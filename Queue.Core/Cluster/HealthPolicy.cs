namespace Queue.Core.Cluster;

/// <summary>
/// A deadline failure detector: silence longer than <see cref="UnreachableAfter"/> makes a member
/// unreachable, longer than <see cref="DownAfter"/> makes it down. Simpler than Akka's phi
/// accrual detector and enough on one LAN, where heartbeat delays do not drift.
/// </summary>
public sealed record HealthPolicy(TimeSpan UnreachableAfter, TimeSpan DownAfter)
{
    public MemberStatus Judge(ClusterMember member, DateTimeOffset now)
    {
        if (member.Status is MemberStatus.Left or MemberStatus.Down)
        {
            // Down and Left are final for this incarnation: a node that comes back registers anew.
            return member.Status;
        }
        var silence = now - member.LastHeartbeat;
        return silence > DownAfter ? MemberStatus.Down
            : silence > UnreachableAfter ? MemberStatus.Unreachable
            : MemberStatus.Up;
    }
}
