using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Queue.Core.Configuration;
using Queue.Core.Protocol;

namespace Queue.Node.Groups;

/// <summary>
/// One consumer group: a persistent entity of the "groups" shard region (broker role), journaled
/// like partitions. Handles <see cref="JoinGroup"/>, <see cref="GroupHeartbeat"/>,
/// <see cref="LeaveGroup"/>, <see cref="CommitGroupOffsets"/>, <see cref="DescribeGroup"/>, each in
/// a <see cref="GroupEnvelope"/>. Decisions (joins, leaves, expiries, commits) are journaled before
/// they are answered, so a broker crash loses none of them; the logic is in <see cref="GroupState"/>.
/// </summary>
/// <remarks>
/// Heartbeats are not journaled: a member's session deadline lives in memory only. After a
/// recovery (a crash, a hand-off, a passivation) every member gets a fresh session timeout from
/// the moment of recovery — the new host cannot know when they were last heard from, and expiring
/// them early would move partitions away from live members. A member that is really gone is then
/// removed at most one session timeout later.
/// </remarks>
public sealed class GroupActor : UntypedPersistentActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _group;
    private readonly GroupSettings _settings;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, DateTimeOffset> _deadlines = new(StringComparer.Ordinal);
    private GroupState _state = new();
    private long _eventsSinceSnapshot;

    public GroupActor(string group, GroupSettings settings, TimeProvider clock)
    {
        _group = group;
        _settings = settings;
        _clock = clock;
        PersistenceId = PersistenceIdOf(group);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public override string PersistenceId { get; }

    /// <summary>Partition ids start with "partition/", the catalogue's is "catalogue": no clash with any group name.</summary>
    public static string PersistenceIdOf(string group) => $"group/{group}";

    public static Props Props(string group, GroupSettings settings, TimeProvider? clock = null) =>
        Akka.Actor.Props.Create(() => new GroupActor(group, settings, clock ?? TimeProvider.System));

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: GroupSnapshot snapshot }:
                _state = GroupState.FromSnapshot(snapshot);
                break;
            case IQueueMessage @event:
                _state.Apply(@event);
                _eventsSinceSnapshot++;
                break;
            case RecoveryCompleted:
                var now = _clock.GetUtcNow();
                foreach (var member in _state.Members)
                {
                    _deadlines[member.Id] = now + TimeSpan.FromMilliseconds(member.SessionTimeoutMs);
                }
                // Checked often enough that an expiry comes at most a quarter of the shortest
                // allowed session timeout late.
                var every = TimeSpan.FromTicks(Math.Clamp(_settings.MinSessionTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 50, TimeSpan.TicksPerSecond));
                Timers.StartPeriodicTimer("expire", ExpireMembers.Instance, every);
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case GroupEnvelope envelope:
                Handle(envelope);
                break;
            case ExpireMembers:
                Expire();
                break;
            case StopGroup:
                Context.Stop(Self);
                break;
            case SaveSnapshotSuccess saved:
                // Everything up to the snapshot is in it: older snapshots and events are garbage,
                // and deleting them keeps a group that commits all day from growing its journal.
                DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
                DeleteMessages(saved.Metadata.SequenceNr);
                break;
            case SaveSnapshotFailure failed:
                _log.Warning(failed.Cause, "Group {0}: snapshot failed; recovery replays more events until the next one succeeds", _group);
                break;
            case DeleteMessagesFailure failed:
                _log.Warning(failed.Cause, "Group {0}: deleting events up to {1} failed; they are deleted with the next snapshot", _group, failed.ToSequenceNr);
                break;
            case DeleteSnapshotsSuccess or DeleteSnapshotsFailure or DeleteMessagesSuccess:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Handle(GroupEnvelope envelope)
    {
        if (envelope.DeadlineUtcTicks != 0 && DateTime.UtcNow.Ticks > envelope.DeadlineUtcTicks)
        {
            // The caller was already told "no answer": deciding now would act behind its back.
            return;
        }
        switch (envelope.Message)
        {
            case JoinGroup join:
                if (join.MemberId is { } chosen && _state.Find(chosen) is { } existing && _state.Topic == join.Topic)
                {
                    // A retried join: the first attempt added this member; answer what it has.
                    Touch(existing.Id, existing.SessionTimeoutMs);
                    Sender.Tell(_state.AssignmentOf(existing));
                    break;
                }
                if (_state.RefuseJoin(join, _settings.MaxMembers) is { } refused)
                {
                    Sender.Tell(refused);
                    break;
                }
                var id = join.MemberId ?? Guid.NewGuid().ToString("N");
                PersistThen(new GroupMemberJoined(id, join.Topic, join.Partitions, join.SessionTimeoutMs, join.From), asker =>
                {
                    Touch(id, join.SessionTimeoutMs);
                    asker.Tell(_state.AssignmentOf(_state.Find(id)!));
                });
                break;
            case GroupHeartbeat heartbeat:
                if (_state.Find(heartbeat.MemberId) is not { } member)
                {
                    Sender.Tell(UnknownMember(heartbeat.MemberId));
                    break;
                }
                Touch(member.Id, member.SessionTimeoutMs);
                Sender.Tell(_state.AssignmentOf(member));
                break;
            case LeaveGroup leave:
                if (_state.Find(leave.MemberId) is null)
                {
                    Sender.Tell(UnknownMember(leave.MemberId));
                    break;
                }
                PersistThen(new GroupMembersRemoved([leave.MemberId], false), asker =>
                {
                    _deadlines.Remove(leave.MemberId);
                    asker.Tell(_state.Describe());
                });
                break;
            case CommitGroupOffsets commit:
                if (_state.RefuseCommit(commit) is { } refusedCommit)
                {
                    Sender.Tell(refusedCommit);
                    break;
                }
                var owner = _state.Find(commit.MemberId)!;
                Touch(owner.Id, owner.SessionTimeoutMs);
                var offsets = commit.OnlyIfAbsent
                    ? commit.Offsets.Where(o => !_state.Committed.ContainsKey(o.Partition)).ToList()
                    : commit.Offsets;
                if (offsets.Count == 0)
                {
                    Sender.Tell(_state.Describe());
                    break;
                }
                PersistThen(new GroupOffsetsCommitted(offsets), asker => asker.Tell(_state.Describe()));
                break;
            case DescribeGroup:
                Sender.Tell(_state.Describe());
                break;
            default:
                Sender.Tell(new RequestFailed(Core.Edge.QueueErrorKind.BadRequest, $"A group cannot handle {envelope.Message.GetType().Name}"));
                break;
        }
    }

    private void Expire()
    {
        var now = _clock.GetUtcNow();
        var expired = _deadlines.Where(d => d.Value < now).Select(d => d.Key).ToList();
        if (expired.Count == 0)
        {
            return;
        }
        foreach (var id in expired)
        {
            // Removed before the write, so the next tick does not expire them a second time.
            _deadlines.Remove(id);
        }
        _log.Info("Group {0}: members {1} missed their session timeout; reassigning their partitions", _group, string.Join(", ", expired));
        PersistThen(new GroupMembersRemoved(expired, true), _ => { });
    }

    private void Touch(string memberId, long sessionTimeoutMs) =>
        _deadlines[memberId] = _clock.GetUtcNow() + TimeSpan.FromMilliseconds(sessionTimeoutMs);

    private void PersistThen(IQueueMessage @event, Action<IActorRef> then)
    {
        var asker = Sender;
        Persist(@event, e =>
        {
            _state.Apply(e);
            then(asker);
            if (++_eventsSinceSnapshot >= _settings.SnapshotEvery)
            {
                _eventsSinceSnapshot = 0;
                SaveSnapshot(_state.ToSnapshot());
            }
        });
    }

    private static RequestFailed UnknownMember(string memberId) =>
        new(Core.Edge.QueueErrorKind.NotFound, $"Member '{memberId}' is not in the group (it left or missed its session timeout); join again");

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // The asker gets no answer (503); sharding starts the entity again on the next request
        // and it recovers from the journal, so nothing half-decided survives.
        _log.Warning(cause, "Group {0}: journal write at sequence {1} failed; restarting from the journal", _group, sequenceNr);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    private sealed class ExpireMembers
    {
        public static readonly ExpireMembers Instance = new();
    }
}

/// <summary>Hand-off and passivation stop message of the group region (local only, never serialized).</summary>
public sealed class StopGroup
{
    public static readonly StopGroup Instance = new();
}
