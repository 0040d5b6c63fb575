using Queue.Core.Edge;
using Queue.Core.Log;

namespace Queue.Client.Transport;

// The consumer-group requests in cluster mode: the same GroupFrontend the edges run, over a proxy
// to the "groups" region, so each request goes straight to the broker hosting the group. The
// session-timeout bounds checked here are the queue.groups defaults, not the brokers' settings.
public sealed partial class ClusterQueueTransport
{
    private readonly GroupFrontend _groups;

    /// <inheritdoc />
    public Task<ConsumerGroupAssignment> JoinGroupAsync(string group, string topic, TimeSpan sessionTimeout, ConsumerStart from, string? memberId, CancellationToken cancellationToken) =>
        RunAsync(async ct => ToAssignment(await _groups.JoinAsync(group, topic, (long)sessionTimeout.TotalMilliseconds,
            from == ConsumerStart.Earliest ? StartFrom.Earliest : StartFrom.Latest, ct, memberId)), cancellationToken);

    /// <inheritdoc />
    public Task<ConsumerGroupAssignment> HeartbeatAsync(string group, string memberId, long generation, CancellationToken cancellationToken) =>
        RunAsync(async ct => ToAssignment(await _groups.HeartbeatAsync(group, memberId, generation, ct)), cancellationToken);

    /// <inheritdoc />
    public Task LeaveGroupAsync(string group, string memberId, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            await _groups.LeaveAsync(group, memberId, ct);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task CommitGroupAsync(string group, string memberId, long generation, IReadOnlyList<MessageOffset> offsets, CancellationToken cancellationToken) =>
        RunAsync(ct => _groups.CommitAsync(group, memberId, generation,
            offsets.Select(o => new Queue.Core.Protocol.GroupPartitionOffset(o.Partition, o.Offset)).ToList(), ct), cancellationToken);

    private static ConsumerGroupAssignment ToAssignment(GroupMemberAssignment assignment) =>
        new(assignment.MemberId, assignment.Generation, assignment.Partitions,
            assignment.Offsets.Select(o => new MessageOffset(o.Partition, o.Offset)).ToList());
}
