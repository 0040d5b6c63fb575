using Queue.Core.Configuration;
using Queue.Core.Log;
using Queue.Core.Protocol;

namespace Queue.Core.Edge;

/// <summary>
/// The consumer-group requests of the /v1 API: validates input before the first ask (bad input
/// changes nothing), asks the group's entity through <paramref name="groups"/>, and reads log
/// bounds from the partitions through <paramref name="queue"/>.
/// </summary>
public sealed class GroupFrontend(IGroupBackend groups, QueueFrontend queue, GroupSettings settings, TimeSpan requestTimeout)
{
    public GroupSettings Settings => settings;

    /// <summary>
    /// Adds a member to <paramref name="group"/> and answers its partitions, each with the offset
    /// to start from. A partition the group has no committed offset for gets one now, from the
    /// join's <paramref name="from"/>, committed before the answer; so a member that takes it
    /// over later starts where this one did, not at a newer "latest".
    /// </summary>
    /// <param name="memberId">
    /// Optional, chosen by the joiner (letters, digits, '.', '_', '-'; at most 64): a retry with
    /// the same id answers the member the first attempt added instead of adding another.
    /// </param>
    public async Task<GroupMemberAssignment> JoinAsync(string? group, string? topicName, long? sessionTimeoutMs, StartFrom from, CancellationToken cancellationToken, string? memberId = null)
    {
        ValidateGroup(group);
        if (memberId is not null && !IsMemberIdChoosable(memberId))
        {
            throw new QueueException(QueueErrorKind.BadRequest,
                $"Field 'member_id' must be 1 to 64 letters, digits, '.', '_' or '-' (a retry of a join sends the same one); got '{Truncate(memberId)}'");
        }
        var timeout = sessionTimeoutMs ?? (long)settings.DefaultSessionTimeout.TotalMilliseconds;
        var min = (long)settings.MinSessionTimeout.TotalMilliseconds;
        var max = (long)settings.MaxSessionTimeout.TotalMilliseconds;
        if (timeout < min || timeout > max)
        {
            throw new QueueException(QueueErrorKind.BadRequest,
                $"Field 'session_timeout_ms' must be between {min} and {max} (queue.groups.min/max-session-timeout), got {timeout}");
        }
        var topic = await queue.GetTopicAsync(topicName, cancellationToken);
        var assignment = await groups.AskGroupAsync(group!, new JoinGroup(topic.Name, topic.Partitions, timeout, from, memberId), requestTimeout, cancellationToken);
        return await WithStartOffsetsAsync(group!, topic.Name, assignment, cancellationToken);
    }

    /// <summary>Keeps the member alive and answers its current assignment (a new generation means it changed).</summary>
    public async Task<GroupMemberAssignment> HeartbeatAsync(string? group, string? memberId, long? generation, CancellationToken cancellationToken)
    {
        ValidateGroup(group);
        ValidateMember(memberId);
        if (generation is < 0)
        {
            throw new QueueException(QueueErrorKind.BadRequest, $"Field 'generation' must be non-negative, got {generation}");
        }
        var assignment = await groups.AskGroupAsync(group!, new GroupHeartbeat(memberId!), requestTimeout, cancellationToken);
        return await WithStartOffsetsAsync(group!, null, assignment, cancellationToken);
    }

    public Task LeaveAsync(string? group, string? memberId, CancellationToken cancellationToken)
    {
        ValidateGroup(group);
        ValidateMember(memberId);
        return groups.AskGroupAsync(group!, new LeaveGroup(memberId!), requestTimeout, cancellationToken);
    }

    /// <summary>
    /// Commits offsets (the next offset the group reads, per partition). Refused whole — nothing
    /// written — for a member not in the current generation (409), a partition it does not own
    /// (409), or an offset beyond the partition's high-water mark (409).
    /// </summary>
    public async Task<GroupDescription> CommitAsync(string? group, string? memberId, long? generation, IReadOnlyList<GroupPartitionOffset>? offsets, CancellationToken cancellationToken)
    {
        ValidateGroup(group);
        ValidateMember(memberId);
        if (generation is not { } gen || gen < 0)
        {
            throw new QueueException(QueueErrorKind.BadRequest, "Field 'generation' is required: the generation of the assignment the offsets were read under");
        }
        if (offsets is null || offsets.Count == 0)
        {
            throw new QueueException(QueueErrorKind.BadRequest, "Field 'offsets' must hold at least one {partition, offset}");
        }
        if (offsets.Any(o => o.Offset < 0 || o.Partition < 0))
        {
            throw new QueueException(QueueErrorKind.BadRequest, "Every partition and offset in 'offsets' must be non-negative");
        }
        if (offsets.Select(o => o.Partition).Distinct().Count() != offsets.Count)
        {
            throw new QueueException(QueueErrorKind.BadRequest, "Field 'offsets' names a partition twice");
        }
        var described = await groups.AskGroupAsync(group!, DescribeGroup.Instance, requestTimeout, cancellationToken);
        if (described.Topic is null)
        {
            throw new QueueException(QueueErrorKind.NotFound, $"Group '{group}' has no members and never had any");
        }
        var topic = await queue.GetTopicAsync(described.Topic, cancellationToken);
        foreach (var offset in offsets)
        {
            if (offset.Partition >= topic.Partitions)
            {
                throw new QueueException(QueueErrorKind.NotFound, $"Topic '{topic.Name}' has no partition {offset.Partition}: it has partitions 0 to {topic.Partitions - 1}");
            }
        }
        var states = (await queue.DescribePartitionsAsync(topic, cancellationToken)).ToDictionary(s => s.Partition);
        foreach (var offset in offsets)
        {
            var state = states[offset.Partition];
            if (offset.Offset > state.HighWatermark)
            {
                throw new QueueException(QueueErrorKind.Conflict,
                    $"Offset {offset.Offset} is beyond partition {offset.Partition} of topic '{topic.Name}', whose high-water mark is {state.HighWatermark}");
            }
        }
        var committed = await groups.AskGroupAsync(group!, new CommitGroupOffsets(memberId!, gen, offsets, false), requestTimeout, cancellationToken);
        return Describe(group!, committed, states);
    }

    /// <summary>Members, generation, assignment, and per partition the committed offset and the lag behind the high-water mark.</summary>
    public async Task<GroupDescription> DescribeAsync(string? group, CancellationToken cancellationToken)
    {
        ValidateGroup(group);
        var described = await groups.AskGroupAsync(group!, DescribeGroup.Instance, requestTimeout, cancellationToken);
        if (described.Topic is null)
        {
            throw new QueueException(QueueErrorKind.NotFound, $"Group '{group}' has no members and never had any");
        }
        var topic = await queue.GetTopicAsync(described.Topic, cancellationToken);
        var states = (await queue.DescribePartitionsAsync(topic, cancellationToken)).ToDictionary(s => s.Partition);
        return Describe(group!, described, states);
    }

    private static GroupDescription Describe(string group, GroupDescribed described, IReadOnlyDictionary<int, PartitionState> states)
    {
        var owners = described.Members.SelectMany(m => m.Partitions.Select(p => (p, m.MemberId))).ToDictionary(x => x.p, x => x.MemberId);
        var committed = described.Committed.ToDictionary(c => c.Partition, c => c.Offset);
        var partitions = states.Values.OrderBy(s => s.Partition).Select(s =>
        {
            long? offset = committed.TryGetValue(s.Partition, out var o) ? o : null;
            // Without a committed offset the group has read nothing: all of the log is its lag.
            var from = Math.Max(offset ?? s.LogStart, s.LogStart);
            return new GroupPartitionLag(s.Partition, owners.GetValueOrDefault(s.Partition), offset, s.LogStart, s.HighWatermark, Math.Max(0, s.HighWatermark - from));
        }).ToList();
        return new GroupDescription(group, described.Topic!, described.Generation, described.Members, partitions);
    }

    /// <param name="topicName">The group's topic, or null to look it up (only needed when an offset is missing, which is rare after the first join).</param>
    private async Task<GroupMemberAssignment> WithStartOffsetsAsync(string group, string? topicName, GroupAssignment assignment, CancellationToken cancellationToken)
    {
        var committed = assignment.Committed.ToDictionary(c => c.Partition, c => c.Offset);
        var missing = assignment.Partitions.Where(p => !committed.ContainsKey(p)).ToList();
        if (missing.Count > 0)
        {
            topicName ??= (await groups.AskGroupAsync(group, DescribeGroup.Instance, requestTimeout, cancellationToken)).Topic;
            var topic = await queue.GetTopicAsync(topicName, cancellationToken);
            var states = (await queue.DescribePartitionsAsync(topic, cancellationToken)).ToDictionary(s => s.Partition);
            var starts = missing.Select(p => new GroupPartitionOffset(p,
                assignment.From == StartFrom.Earliest ? states[p].LogStart : states[p].HighWatermark)).ToList();
            // Set only where still unset: another member (or a retry) may have fixed it first,
            // and then its offset is the one everyone uses.
            var described = await groups.AskGroupAsync(group, new CommitGroupOffsets(assignment.MemberId, assignment.Generation, starts, true), requestTimeout, cancellationToken);
            committed = described.Committed.ToDictionary(c => c.Partition, c => c.Offset);
        }
        return new GroupMemberAssignment(assignment.MemberId, assignment.Generation, assignment.Partitions,
            assignment.Partitions.Select(p => new GroupPartitionOffset(p, committed[p])).ToList(), assignment.SessionTimeoutMs);
    }

    private void ValidateGroup(string? group)
    {
        if (TopicNames.Validate(group, queue.Limits.MaxTopicNameLength) is { } problem)
        {
            throw new QueueException(QueueErrorKind.BadRequest, "Group name: " + problem.Replace("topic name", "group name", StringComparison.Ordinal) + " (group names follow the topic-name rule)");
        }
    }

    private static bool IsMemberIdChoosable(string id) =>
        id.Length is >= 1 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "…";

    private static void ValidateMember(string? memberId)
    {
        if (string.IsNullOrEmpty(memberId) || memberId.Length > 64)
        {
            throw new QueueException(QueueErrorKind.BadRequest, "The member id is missing or longer than 64 characters; use the member_id the join answered");
        }
    }
}

/// <summary>A member's partitions in <see cref="Generation"/>, each with the group's committed offset (where to start reading).</summary>
public sealed record GroupMemberAssignment(string MemberId, long Generation, IReadOnlyList<int> Partitions, IReadOnlyList<GroupPartitionOffset> Offsets, long SessionTimeoutMs);

/// <summary>One partition of a group's topic: its owner (null when none), committed offset (null before any), log bounds and lag.</summary>
public sealed record GroupPartitionLag(int Partition, string? MemberId, long? Committed, long LogStart, long HighWatermark, long Lag);

public sealed record GroupDescription(string Group, string Topic, long Generation, IReadOnlyList<GroupMemberInfo> Members, IReadOnlyList<GroupPartitionLag> Partitions);
