using Queue.Core.Log;

namespace Queue.Core.Protocol;

// The consumer-group protocol: what an edge asks of one group's entity (a persistent actor in the
// "groups" shard region), and the events that entity journals. A group consumes one topic; its
// members, their assignment and its committed offsets are decided only by the entity, and every
// decision is journaled before it is answered.

/// <summary>How a request reaches a group's entity through cluster sharding; see <see cref="PartitionEnvelope"/> for the deadline.</summary>
public sealed record GroupEnvelope(string Group, IQueueMessage Message, long DeadlineUtcTicks) : IQueueMessage;

/// <summary>A request to one group; <typeparamref name="TReply"/> is its successful reply.</summary>
public interface IGroupRequest<TReply> : IRequest<TReply>;

/// <summary>A partition and an offset in it: a committed offset is the next offset the group reads there.</summary>
public sealed record GroupPartitionOffset(int Partition, long Offset);

/// <summary>A member and the partitions it owns in the current generation.</summary>
public sealed record GroupMemberInfo(string MemberId, IReadOnlyList<int> Partitions, long SessionTimeoutMs);

/// <summary>
/// Adds a member. <see cref="Partitions"/> is the topic's partition count, which the edge knows
/// from the catalogue and never changes. <see cref="From"/> says where the member starts in a
/// partition the group has no committed offset for. <see cref="MemberId"/>, when the joiner
/// chose one, makes the join idempotent: a retry whose first answer was lost finds the member
/// the first attempt added instead of adding a second that would hold partitions until its
/// session timed out.
/// </summary>
public sealed record JoinGroup(string Topic, int Partitions, long SessionTimeoutMs, StartFrom From, string? MemberId = null) : IGroupRequest<GroupAssignment>;

/// <summary>Keeps a member alive for another session timeout and answers its current assignment.</summary>
public sealed record GroupHeartbeat(string MemberId) : IGroupRequest<GroupAssignment>;

/// <summary>Removes a member at once (a clean leave); its partitions go to the others.</summary>
public sealed record LeaveGroup(string MemberId) : IGroupRequest<GroupDescribed>;

/// <summary>
/// Commits offsets for partitions the member owns in <see cref="Generation"/>, which must be the
/// current one: a member that missed a rebalance (a zombie) must not move the group's offsets.
/// With <see cref="OnlyIfAbsent"/> only partitions without a committed offset are set (the edge
/// fixes a "latest" start this way, so the first owner and its successors agree on it).
/// </summary>
public sealed record CommitGroupOffsets(string MemberId, long Generation, IReadOnlyList<GroupPartitionOffset> Offsets, bool OnlyIfAbsent) : IGroupRequest<GroupDescribed>;

/// <summary>The group's members, generation, assignment and committed offsets.</summary>
public sealed class DescribeGroup : IGroupRequest<GroupDescribed>
{
    public static readonly DescribeGroup Instance = new();

    private DescribeGroup()
    {
    }
}

/// <summary>One member's view: its partitions in <see cref="Generation"/> and the group's committed offsets for them.</summary>
public sealed record GroupAssignment(string MemberId, long Generation, IReadOnlyList<int> Partitions, IReadOnlyList<GroupPartitionOffset> Committed, StartFrom From, long SessionTimeoutMs) : IQueueMessage;

/// <summary><see cref="Topic"/> is null for a group nobody ever joined.</summary>
public sealed record GroupDescribed(string? Topic, int Partitions, long Generation, IReadOnlyList<GroupMemberInfo> Members, IReadOnlyList<GroupPartitionOffset> Committed) : IQueueMessage;

// ---------------------------------------------------------------- events (journaled)

/// <summary>A member joined; the new assignment follows from the old one (see GroupState), so it is not stored.</summary>
public sealed record GroupMemberJoined(string MemberId, string Topic, int Partitions, long SessionTimeoutMs, StartFrom From) : IQueueMessage;

/// <summary>Members left (<see cref="Expired"/> false) or missed their session timeout.</summary>
public sealed record GroupMembersRemoved(IReadOnlyList<string> MemberIds, bool Expired) : IQueueMessage;

public sealed record GroupOffsetsCommitted(IReadOnlyList<GroupPartitionOffset> Offsets) : IQueueMessage;

/// <summary>A member as a snapshot keeps it, in join order (the order breaks assignment ties).</summary>
public sealed record GroupMemberRecord(string MemberId, long SessionTimeoutMs, StartFrom From, IReadOnlyList<int> Partitions);

public sealed record GroupSnapshot(string? Topic, int Partitions, long Generation, IReadOnlyList<GroupMemberRecord> Members, IReadOnlyList<GroupPartitionOffset> Committed) : IQueueMessage;
