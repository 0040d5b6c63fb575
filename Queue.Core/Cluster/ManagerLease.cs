namespace Queue.Core.Cluster;

/// <summary>
/// The manager-singleton state machine, pure: the host feeds it lease outcomes and the time, and
/// asks whether it may act. The lease's expiry is judged by the database clock; locally we only
/// trust our own monotonic clock, counting the lease from when the renewing request was *sent*
/// (never later than the database's view) minus a safety margin. So this node stops acting before
/// any other node can take the lease, even if the answer to our renewal was slow.
/// </summary>
public sealed record ManagerLease(ManagerPhase Phase, long Epoch, TimeSpan ValidUntil)
{
    public static ManagerLease Candidate { get; } = new(ManagerPhase.Candidate, 0, TimeSpan.Zero);

    /// <summary>True while this node may act as manager at monotonic time <paramref name="now"/>.</summary>
    public bool MayAct(TimeSpan now) => Phase == ManagerPhase.Manager && now < ValidUntil;

    /// <summary>The lease was taken or renewed by a request sent at <paramref name="sentAt"/>.</summary>
    public ManagerLease Held(long epoch, TimeSpan sentAt, TimeSpan ttl, TimeSpan safetyMargin) =>
        new(ManagerPhase.Manager, epoch, sentAt + ttl - safetyMargin);

    /// <summary>
    /// A renewal failed or the clock moved on: a manager whose lease ran out steps down. A failed
    /// renewal alone does not: the lease may still be valid and the next try may succeed.
    /// </summary>
    public ManagerLease Tick(TimeSpan now) =>
        Phase == ManagerPhase.Manager && now >= ValidUntil ? this with { Phase = ManagerPhase.SteppingDown } : this;

    /// <summary>Another node holds the lease (our renewal was refused), or stepping down has finished.</summary>
    public ManagerLease Lost() => Candidate;
}
