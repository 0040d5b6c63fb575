using Queue.Core.Edge;
using Queue.Core.Log;
using Queue.Core.Protocol;

namespace Queue.Node.Groups;

/// <summary>
/// One consumer group's durable state: its topic, members in join order with their partitions,
/// the generation and the committed offsets. Pure: it changes only through <see cref="Apply"/>,
/// shared by recovery and live writes; the checks a command must pass before its event is
/// written are here too, so they are unit-tested without an actor.
/// </summary>
/// <remarks>
/// The generation goes up by one with every event that changes the assignment (a join, a leave,
/// an expiry), and only then; so within one generation the assignment is fixed, and since
/// <see cref="GroupAssignor"/> never gives a partition to two members, no partition belongs to two
/// members at any generation. Replaying an event twice is harmless: a second join of the same
/// member id or a removal of a member already gone changes nothing.
/// </remarks>
public sealed class GroupState
{
    private readonly List<Member> _members = [];
    private readonly SortedDictionary<int, long> _committed = [];

    public string? Topic { get; private set; }

    public int Partitions { get; private set; }

    public long Generation { get; private set; }

    public IReadOnlyList<Member> Members => _members;

    public IReadOnlyDictionary<int, long> Committed => _committed;

    public Member? Find(string memberId) => _members.Find(m => m.Id == memberId);

    /// <summary>Why the join cannot be accepted, or null.</summary>
    public RequestFailed? RefuseJoin(JoinGroup join, int maxMembers)
    {
        if (Topic is not null && Topic != join.Topic)
        {
            return new RequestFailed(QueueErrorKind.Conflict, $"The group consumes topic '{Topic}'; a group consumes one topic, not '{join.Topic}'");
        }
        if (_members.Count >= maxMembers)
        {
            return new RequestFailed(QueueErrorKind.Conflict, $"The group has {_members.Count} members, the most queue.groups.max-members allows");
        }
        return null;
    }

    /// <summary>Why the commit cannot be accepted, or null. A commit is refused whole: nothing of a refused commit is written.</summary>
    public RequestFailed? RefuseCommit(CommitGroupOffsets commit)
    {
        if (Find(commit.MemberId) is not { } member)
        {
            return new RequestFailed(QueueErrorKind.NotFound, $"Member '{commit.MemberId}' is not in the group (it left or missed its session timeout); join again");
        }
        if (commit.OnlyIfAbsent)
        {
            // Fixing a start offset where none is set can only agree with what a member of any
            // generation would fix, so it is not fenced: it never moves an offset once set.
            return commit.Offsets.Any(o => o.Partition < 0 || o.Partition >= Partitions)
                ? new RequestFailed(QueueErrorKind.BadRequest, $"The group's topic '{Topic}' has partitions 0 to {Partitions - 1}")
                : null;
        }
        if (commit.Generation != Generation)
        {
            return new RequestFailed(QueueErrorKind.Conflict,
                $"Generation {commit.Generation} is not the group's current generation {Generation}: the assignment changed; heartbeat to learn the new one, and commit only partitions you own in it");
        }
        foreach (var offset in commit.Offsets)
        {
            if (!member.Partitions.Contains(offset.Partition))
            {
                return new RequestFailed(QueueErrorKind.Conflict, $"Partition {offset.Partition} is not assigned to member '{member.Id}' in generation {Generation}");
            }
        }
        return null;
    }

    /// <summary>The member's view of the current generation.</summary>
    public GroupAssignment AssignmentOf(Member member) => new(member.Id, Generation, member.Partitions,
        member.Partitions.Where(_committed.ContainsKey).Select(p => new GroupPartitionOffset(p, _committed[p])).ToList(),
        member.From, member.SessionTimeoutMs);

    public GroupDescribed Describe() => new(Topic, Partitions, Generation,
        _members.Select(m => new GroupMemberInfo(m.Id, m.Partitions, m.SessionTimeoutMs)).ToList(),
        _committed.Select(kv => new GroupPartitionOffset(kv.Key, kv.Value)).ToList());

    public void Apply(IQueueMessage @event)
    {
        switch (@event)
        {
            case GroupMemberJoined joined:
                if (Find(joined.MemberId) is not null)
                {
                    break;
                }
                Topic ??= joined.Topic;
                Partitions = joined.Partitions;
                _members.Add(new Member(joined.MemberId, joined.SessionTimeoutMs, joined.From, []));
                Rebalance();
                break;
            case GroupMembersRemoved removed:
                if (_members.RemoveAll(m => removed.MemberIds.Contains(m.Id)) > 0)
                {
                    Rebalance();
                }
                break;
            case GroupOffsetsCommitted committed:
                foreach (var offset in committed.Offsets)
                {
                    _committed[offset.Partition] = offset.Offset;
                }
                break;
            default:
                throw new ArgumentException($"not a group event: {@event.GetType().Name}", nameof(@event));
        }
    }

    public GroupSnapshot ToSnapshot() => new(Topic, Partitions, Generation,
        _members.Select(m => new GroupMemberRecord(m.Id, m.SessionTimeoutMs, m.From, m.Partitions)).ToList(),
        _committed.Select(kv => new GroupPartitionOffset(kv.Key, kv.Value)).ToList());

    public static GroupState FromSnapshot(GroupSnapshot snapshot)
    {
        var state = new GroupState { Topic = snapshot.Topic, Partitions = snapshot.Partitions, Generation = snapshot.Generation };
        state._members.AddRange(snapshot.Members.Select(m => new Member(m.MemberId, m.SessionTimeoutMs, m.From, m.Partitions)));
        foreach (var offset in snapshot.Committed)
        {
            state._committed[offset.Partition] = offset.Offset;
        }
        return state;
    }

    private void Rebalance()
    {
        var assignment = GroupAssignor.Assign(Partitions, _members.Select(m => (m.Id, m.Partitions)).ToList());
        for (var i = 0; i < _members.Count; i++)
        {
            _members[i] = _members[i] with { Partitions = assignment[_members[i].Id] };
        }
        Generation++;
    }

    /// <param name="From">Where this member starts in a partition the group has no offset for.</param>
    public sealed record Member(string Id, long SessionTimeoutMs, StartFrom From, IReadOnlyList<int> Partitions);
}
