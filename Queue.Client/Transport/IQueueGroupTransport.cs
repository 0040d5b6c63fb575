namespace Queue.Client.Transport;

/// <summary>
/// The consumer-group requests (POST/DELETE /v1/groups/...). A transport that implements it
/// supports <see cref="QueueClient.CreateGroupConsumerAsync"/>; <see cref="HttpQueueTransport"/> does.
/// Same error rules as <see cref="IQueueTransport"/>.
/// </summary>
public interface IQueueGroupTransport
{
    /// <summary>Joins <paramref name="group"/> as a new member; answers its partitions with the offsets to start from.</summary>
    /// <param name="group">The group's name (the topic-name rule).</param>
    /// <param name="topic">The topic the group consumes.</param>
    /// <param name="sessionTimeout">How long the member may go without a heartbeat before the group removes it.</param>
    /// <param name="from">Where the group starts in a partition it has no committed offset for.</param>
    /// <param name="memberId">
    /// The member id to join under, chosen by the caller (letters, digits, '.', '_', '-'; at most
    /// 64), or null to let the group choose. With an id the join is idempotent: a retry after a lost
    /// answer gets the member the first attempt added, not a second one.
    /// </param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<ConsumerGroupAssignment> JoinGroupAsync(string group, string topic, TimeSpan sessionTimeout, ConsumerStart from, string? memberId, CancellationToken cancellationToken);

    /// <summary>Joins under a member id the group chooses (not idempotent: see the overload with a member id).</summary>
    /// <param name="group">The group's name (the topic-name rule).</param>
    /// <param name="topic">The topic the group consumes.</param>
    /// <param name="sessionTimeout">How long the member may go without a heartbeat before the group removes it.</param>
    /// <param name="from">Where the group starts in a partition it has no committed offset for.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<ConsumerGroupAssignment> JoinGroupAsync(string group, string topic, TimeSpan sessionTimeout, ConsumerStart from, CancellationToken cancellationToken) =>
        JoinGroupAsync(group, topic, sessionTimeout, from, null, cancellationToken);

    /// <summary>Keeps the member alive; answers its current assignment. <see cref="QueueNotFoundException"/> once the group has removed it.</summary>
    /// <param name="group">The group.</param>
    /// <param name="memberId">The member, as the join answered.</param>
    /// <param name="generation">The generation the member knows.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<ConsumerGroupAssignment> HeartbeatAsync(string group, string memberId, long generation, CancellationToken cancellationToken);

    /// <summary>Leaves the group at once, so its partitions move without waiting for the session timeout.</summary>
    /// <param name="group">The group.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task LeaveGroupAsync(string group, string memberId, CancellationToken cancellationToken);

    /// <summary>Commits offsets (next offset to read) of partitions the member owns in <paramref name="generation"/>; <see cref="QueueConflictException"/> when that generation is over.</summary>
    /// <param name="group">The group.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="generation">The generation the offsets were read under.</param>
    /// <param name="offsets">Partition and next offset, one per partition.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task CommitGroupAsync(string group, string memberId, long generation, IReadOnlyList<MessageOffset> offsets, CancellationToken cancellationToken);
}
