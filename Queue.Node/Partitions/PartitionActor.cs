using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Queue.Core.Cluster;
using Queue.Core.Configuration;
using Queue.Core.Diagnostics;
using Queue.Core.Edge;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;

namespace Queue.Node.Partitions;

/// <summary>
/// The single writer of one topic-partition: a persistent actor, run as a cluster-sharding entity
/// on a broker. Handles <see cref="AppendMessages"/>, <see cref="ConsumeNext"/>,
/// <see cref="ReturnDelivery"/>, <see cref="GetBacklog"/>, <see cref="PinConsumer"/>,
/// <see cref="FetchMessages"/>, <see cref="WaitForMessages"/>, <see cref="CommitPosition"/>, each
/// inside a <see cref="PartitionEnvelope"/>.
/// </summary>
/// <remarks>
/// <para><b>Group commit.</b> Requests are gathered into a batch; one batch is one journal event
/// (<see cref="PartitionBatchCommitted"/>) written with <c>PersistAllAsync</c>. At most one batch
/// is in flight: whatever arrives meanwhile becomes the next batch, so under load a write carries
/// everything that queued during the previous one — one round trip per batch, no timers.</para>
/// <para><b>Ack after commit.</b> Every reply of a batch is sent from the persist callback, reads
/// included (a read may have seen the batch's pending state). Deliveries hand out committed
/// messages only.</para>
/// <para><b>Offsets and sequence numbers.</b> Offsets are dense per partition; journal sequence
/// numbers count events (batches). The sparse <see cref="OffsetIndexEntry"/> list maps one to the
/// other (docs/architecture.md) so old messages are read by sequence range, never by replay.</para>
/// <para><b>Retention.</b> Every queue.retention.check-interval the partition works out how far its
/// topic's policy lets the log start move (<see cref="RetentionRules"/>), moves it between two
/// writes, saves a snapshot holding the new log start, and only once that snapshot is stored
/// deletes the journal events wholly below it, one bounded step at a time, never waiting for a
/// delete to answer (docs/retention.md).</para>
/// </remarks>
internal sealed class PartitionActor : UntypedPersistentActor, IWithTimers
{
    // An index entry every this many offsets or events, whichever comes first: a cold read then
    // scans at most this many events from the entry it starts at.
    internal const int IndexStride = 1_000;

    private static readonly TimeSpan SlowRecovery = TimeSpan.FromMilliseconds(500);

    private readonly PartitionId _id;
    private readonly PartitionSettings _settings;
    private readonly RetentionSettings _retentionSettings;
    private readonly long _maxWriteBytes;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private PartitionLog _state;
    private readonly Dictionary<long, ProducerBatch> _sequences = [];
    private readonly List<OffsetIndexEntry> _index = [];
    // Which message each consumer's last consume delivered, so a consume whose answer never
    // reached its caller can be handed back (ReturnDelivery). Memory only: after a restart there
    // is nothing to hand back, and the consume stays at-most-once, as the seeds define it.
    private readonly Dictionary<long, (Guid RequestId, long Offset)> _lastDelivery = [];
    private readonly List<Waiter> _waiters = [];

    private Batch _next = new();
    private Batch? _inFlight;
    private bool _flushScheduled;
    private bool _stopping;
    private long _eventsSinceSnapshot;
    private long _messagesSinceSnapshot;

    // The last page read from the journal for offsets older than the in-memory tail: consumers
    // catching up read forward, so one page serves many consecutive requests.
    private IReadOnlyList<StoredMessage> _coldPage = [];

    // Published for /metrics after each commit (hosted partitions, consumer lag); null until recovered.
    private PartitionGauge? _gauge;

    // When this incarnation was created, so a slow recovery (it holds up a failover) is logged with its duration.
    private readonly long _createdAt = System.Diagnostics.Stopwatch.GetTimestamp();

    // Retention. The policy comes from the catalogue (asked at start and every refresh-interval,
    // or pushed by the edge after a PATCH); null until known, and while it is unknown nothing is
    // let go of: not deleting is always safe.
    private RetentionPolicy? _retention;
    private IActorRef? _catalogue;
    private readonly bool _lookUpCatalogue;
    // The newest message timestamp so far (a running maximum, so a clock stepping back cannot
    // make older messages look younger): what index entries record as the age of what precedes them.
    private long _maxTicks;
    // What the newest stored snapshot holds: the journal may be deleted below its log start and
    // up to its sequence number, never further (recovery starts from it).
    private long _durableLogStart;
    private long _durableSnapshotSequenceNr;
    // Snapshots asked for and not yet answered: sequence number -> the log start each holds.
    private readonly Dictionary<long, long> _snapshotsInFlight = [];
    private bool _advanceDue;
    // The sequence number a DeleteMessages in flight deletes up to; -1 when none is.
    private long _deletingTo = -1;

    /// <param name="catalogue">Where to ask for the topic's retention; null = the catalogue proxy registered with Akka.Hosting, if any (tests run without).</param>
    public PartitionActor(PartitionId id, PartitionSettings settings, long maxWriteBytes, RetentionSettings? retention = null, IActorRef? catalogue = null)
    {
        _id = id;
        _settings = settings;
        _retentionSettings = retention ?? new RetentionSettings();
        _maxWriteBytes = maxWriteBytes;
        _catalogue = catalogue;
        _lookUpCatalogue = catalogue is null;
        _state = new PartitionLog(0, 0, new Dictionary<long, long>(), [], settings.TailCacheMessages);
        PersistenceId = PersistenceIdOf(id);
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Topic names cannot contain '/', so this is unique per partition and readable in the journal table.</summary>
    public static string PersistenceIdOf(PartitionId id) => $"partition/{id.Topic}/{id.Partition}";

    public static Props Props(PartitionId id, PartitionSettings settings, long maxWriteBytes, RetentionSettings? retention = null, IActorRef? catalogue = null) =>
        Akka.Actor.Props.Create(() => new PartitionActor(id, settings, maxWriteBytes, retention, catalogue));

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: PartitionSnapshot snapshot } offer:
                _state = new PartitionLog(snapshot.LogStart, snapshot.HighWatermark,
                    snapshot.Positions.ToDictionary(p => p.ConsumerId, p => p.Position), [], _settings.TailCacheMessages);
                _sequences.Clear();
                foreach (var s in snapshot.Sequences)
                {
                    _sequences[s.ProducerId] = new ProducerBatch(s.Sequence, s.FirstOffset, s.Count);
                }
                // A snapshot written before retention existed knows no timestamps. Every message
                // in it is older than now, so "now" is a safe upper bound: time-based retention
                // then lets those messages go one retention period after this recovery.
                var recoveredAt = DateTime.UtcNow.Ticks;
                _index.Clear();
                _index.AddRange(snapshot.Index.Select(e => e.MaxTicksBefore == 0 && e.FirstOffset > 0 ? e with { MaxTicksBefore = recoveredAt } : e));
                _maxTicks = snapshot.MaxTimestampTicks != 0 || snapshot.HighWatermark == 0 ? snapshot.MaxTimestampTicks : recoveredAt;
                _durableLogStart = snapshot.LogStart;
                _durableSnapshotSequenceNr = offer.Metadata.SequenceNr;
                break;
            case PartitionBatchCommitted batch:
                Apply(batch, LastSequenceNr);
                _eventsSinceSnapshot++;
                _messagesSinceSnapshot += batch.Messages.Count;
                break;
            case RecoveryCompleted:
                Timers.StartPeriodicTimer(RetentionTick.Instance, RetentionTick.Instance, _retentionSettings.CheckInterval);
                Timers.StartPeriodicTimer(RefreshRetention.Instance, RefreshRetention.Instance, _retentionSettings.RefreshInterval);
                AskCatalogueForRetention();
                _gauge = QueueMetrics.PartitionStarted(_id);
                _gauge.Publish(_state.LogStart, _state.HighWatermark, _state.Positions);
                var took = System.Diagnostics.Stopwatch.GetElapsedTime(_createdAt);
                // Recovery is what a failover waits for once the shard is placed: worth a line when
                // slow. (The line is built only when it is logged: a broker recovers many partitions.)
                var slow = took >= SlowRecovery;
                if (slow || _log.IsDebugEnabled)
                {
                    var line = $"Partition {_id} recovered in {took.TotalMilliseconds:0} ms: high-water mark {_state.HighWatermark}, {_state.Positions.Count} consumer positions, " +
                               $"journal sequence {LastSequenceNr}, {_eventsSinceSnapshot} events replayed after the snapshot";
                    if (slow)
                    {
                        _log.Info("{0}", line);
                    }
                    else
                    {
                        _log.Debug("{0}", line);
                    }
                }
                break;
        }
    }

    /// <summary>The one place state changes, for recovery and live writes alike.</summary>
    private void Apply(PartitionBatchCommitted batch, long sequenceNr)
    {
        var nextOffset = _state.HighWatermark;
        var last = _index.Count > 0 ? _index[^1] : (OffsetIndexEntry?)null;
        // With a time limit, entries also come every tenth of it, so the log start can follow the
        // clock in steps of about that size even on a topic too quiet to fill a stride.
        var timeStride = _retention is { Ms: > 0 } policy
            ? Math.Max(1, Math.Min(policy.Ms / 10, long.MaxValue / TimeSpan.TicksPerMillisecond)) * TimeSpan.TicksPerMillisecond
            : long.MaxValue;
        if (last is not { } l || nextOffset - l.FirstOffset >= IndexStride || sequenceNr - l.SequenceNr >= IndexStride
            || (nextOffset > l.FirstOffset && _maxTicks - l.MaxTicksBefore >= timeStride))
        {
            // Every event before sequenceNr holds only offsets below nextOffset: the entry says
            // where a reader of offset nextOffset (or later) may start, and how new the messages
            // before it are at most.
            _index.Add(new OffsetIndexEntry(nextOffset, sequenceNr, _maxTicks));
        }
        foreach (var m in batch.Messages)
        {
            _maxTicks = Math.Max(_maxTicks, m.Timestamp.UtcTicks);
        }
        _state.Apply(batch.Messages, batch.Positions);
        foreach (var s in batch.Sequences)
        {
            _sequences[s.ProducerId] = new ProducerBatch(s.Sequence, s.FirstOffset, s.Count);
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case PartitionEnvelope envelope:
                Handle(envelope);
                break;
            case FlushNow:
                _flushScheduled = false;
                Flush();
                break;
            case StopPartition:
                // Hand-off or passivation: finish what was accepted (and answer it) first, so
                // nothing acknowledged is lost and nothing is left unanswered.
                _stopping = true;
                StopIfDrained();
                break;
            case SaveSnapshotSuccess saved:
                // Only the newest snapshot is ever read; older ones are garbage.
                DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
                if (_snapshotsInFlight.Remove(saved.Metadata.SequenceNr, out var heldLogStart) && saved.Metadata.SequenceNr >= _durableSnapshotSequenceNr)
                {
                    _durableSnapshotSequenceNr = saved.Metadata.SequenceNr;
                    _durableLogStart = Math.Max(_durableLogStart, heldLogStart);
                }
                StartDeleteStep();
                break;
            case SaveSnapshotFailure failed:
                _snapshotsInFlight.Remove(failed.Metadata.SequenceNr);
                _log.Warning(failed.Cause, "Partition {0}: snapshot at sequence {1} failed; recovery replays more events until the next one succeeds", _id, failed.Metadata.SequenceNr);
                break;
            case RetentionTick:
                CheckRetention();
                break;
            case RefreshRetention:
                AskCatalogueForRetention();
                break;
            case TopicLookup { Topic: { } topic } when topic.Name == _id.Topic:
                AdoptRetention(topic.Retention);
                break;
            case TopicLookup:
                break;
            case DeleteMessagesSuccess deleted:
                _deletingTo = -1;
                // The entries before the cut point at deleted events; the cut point itself stays
                // (it is where reads of the oldest retained offsets start).
                _index.RemoveAll(e => e.SequenceNr <= deleted.ToSequenceNr);
                _log.Debug("Partition {0}: journal events up to sequence {1} deleted (log start {2})", _id, deleted.ToSequenceNr, _state.LogStart);
                StartDeleteStep();
                break;
            case DeleteMessagesFailure failed:
                _deletingTo = -1;
                _log.Warning(failed.Cause, "Partition {0}: deleting journal events up to sequence {1} failed; retried at the next retention check", _id, failed.ToSequenceNr);
                break;
            case DeleteSnapshotsSuccess or DeleteSnapshotsFailure:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Handle(PartitionEnvelope envelope)
    {
        if (envelope.DeadlineUtcTicks != 0 && DateTime.UtcNow.Ticks > envelope.DeadlineUtcTicks)
        {
            // The caller has been told "no answer" (503) already: doing the work now would apply
            // it behind their back (design.md §3, invariant 6). Nobody is listening for a reply.
            return;
        }
        if (_next.Requests >= _settings.MailboxCapacity && envelope.Message is not ReturnDelivery)
        {
            Sender.Tell(new RequestFailed(QueueErrorKind.Overloaded,
                $"Partition {_id} is overloaded: {_next.Requests} requests are waiting for its next write; retry after a pause"));
            return;
        }
        switch (envelope.Message)
        {
            case AppendMessages append:
                Reply(Append(append));
                break;
            case ConsumeNext consume:
                if (!TryConsume(consume, out var consumed))
                {
                    // The message is older than the in-memory tail: read its page from the
                    // journal, then handle this request again (everything else waits meanwhile,
                    // so order is kept).
                    Stash.Stash();
                    StartColdRead(PositionOf(consume.ConsumerId, consume.From));
                    return;
                }
                Reply(consumed);
                break;
            case ReturnDelivery handBack:
                ReturnDelivered(handBack);
                break;
            case GetBacklog backlog:
                Reply(new BacklogReported(PositionOf(backlog.ConsumerId, backlog.From), _state.HighWatermark));
                break;
            case PinConsumer pin:
                // Pinning twice keeps the first position: registration retries are harmless.
                var position = PositionOf(pin.ConsumerId, pin.From);
                if (!HasPosition(pin.ConsumerId))
                {
                    _next.Positions[pin.ConsumerId] = position;
                }
                Reply(new ConsumerPinned(position));
                break;
            case CommitPosition commit:
                var accepted = commit.Offset >= _state.LogStart && commit.Offset <= _state.HighWatermark;
                if (accepted)
                {
                    _next.Positions[commit.ConsumerId] = commit.Offset;
                }
                Reply(new PositionCommitted(accepted, accepted ? commit.Offset : PositionOf(commit.ConsumerId, StartFrom.Latest), _state.LogStart, _state.HighWatermark));
                break;
            case FetchMessages fetch:
                Fetch(fetch);
                return;
            case ApplyRetention apply:
                AdoptRetention(apply.Policy);
                Reply(new RetentionApplied(_state.LogStart, _state.HighWatermark));
                break;
            case WaitForMessages wait:
                if (wait.Offset < _state.HighWatermark)
                {
                    Sender.Tell(new MessagesAvailable(_state.HighWatermark));
                }
                else
                {
                    PruneWaiters();
                    _waiters.Add(new Waiter(Sender, wait.Offset, envelope.DeadlineUtcTicks));
                }
                return;
            default:
                Sender.Tell(new RequestFailed(QueueErrorKind.BadRequest, $"Partition {_id} does not handle {envelope.Message.GetType().Name}"));
                return;
        }
        ScheduleFlush();
    }

    private void Reply(object reply) => _next.Replies.Add((Sender, reply));

    private void ScheduleFlush()
    {
        if (_inFlight is null && !_flushScheduled)
        {
            // Not at once: requests already in the mailbox join this batch first.
            _flushScheduled = true;
            Self.Tell(FlushNow.Instance);
        }
    }

    /// <summary>Starts writing the pending batch, unless a write is in flight (then it goes when that one commits).</summary>
    private void Flush()
    {
        if (_inFlight is not null || _next.IsEmpty)
        {
            return;
        }
        var batch = _next;
        _next = new Batch();
        if (!batch.HasWrites)
        {
            // Reads only: nothing to make durable, but they may have read the state of the
            // write that just committed, so they are answered now, after it.
            batch.ReplyAll();
            StopIfDrained();
            return;
        }
        _inFlight = batch;
        batch.WriteStartedAt = QueueMetrics.Now();
        var events = batch.ToEvents(_maxWriteBytes);
        var remaining = events.Count;
        PersistAllAsync(events, committed =>
        {
            Apply(committed, LastSequenceNr);
            _eventsSinceSnapshot++;
            _messagesSinceSnapshot += committed.Messages.Count;
            if (--remaining == 0)
            {
                Committed(batch);
            }
        });
    }

    private void Committed(Batch batch)
    {
        _inFlight = null;
        QueueMetrics.JournalWritten(batch.WriteStartedAt, batch.Messages.Count);
        // The batch says whether any position moved: only then is there anything to copy.
        _gauge?.Publish(_state.LogStart, _state.HighWatermark, batch.Positions.Count > 0 ? _state.Positions : null);
        batch.ReplyAll();
        WakeWaiters();
        if (_advanceDue)
        {
            // A retention check found the log start could move while this write was in flight.
            _advanceDue = false;
            CheckRetention();
        }
        if (_eventsSinceSnapshot >= _settings.SnapshotEvery || _messagesSinceSnapshot >= _settings.SnapshotEveryMessages)
        {
            // Counted in events and in messages, because one event may carry thousands of
            // messages: recovery then replays at most about one snapshot interval of either.
            TakeSnapshot();
        }
        Flush();
        StopIfDrained();
    }

    /// <summary>
    /// Taken only between writes (no write in flight): the state is then exactly the journal's up
    /// to LastSequenceNr, which is the sequence number the snapshot is stored under.
    /// </summary>
    private void TakeSnapshot()
    {
        _eventsSinceSnapshot = 0;
        _messagesSinceSnapshot = 0;
        _snapshotsInFlight[LastSequenceNr] = _state.LogStart;
        SaveSnapshot(new PartitionSnapshot(
            _state.LogStart,
            _state.HighWatermark,
            _state.Positions.Select(p => new ConsumerPosition(p.Key, p.Value)).ToList(),
            _sequences.Select(s => new ProducerBatchRecord(s.Key, s.Value.Sequence, s.Value.FirstOffset, s.Value.Count)).ToList(),
            _index.ToList(),
            _maxTicks));
    }

    private void AskCatalogueForRetention()
    {
        if (_catalogue is null && _lookUpCatalogue && ActorRegistry.For(Context.System).TryGet<QueueCluster.CatalogueKey>(out var proxy))
        {
            _catalogue = proxy;
        }
        // The answer (TopicLookup) comes back as a message; until it does the partition serves
        // with what it has. A lost answer is asked again at the next refresh.
        _catalogue?.Tell(new GetTopic(_id.Topic), Self);
    }

    private void AdoptRetention(RetentionPolicy policy)
    {
        if (_retention is { } current && policy.Version <= current.Version)
        {
            return;
        }
        if (_retention != policy)
        {
            _log.Info("Partition {0}: retention {1} (ms {2}, messages {3}, version {4})", _id,
                policy.KeepsEverything ? "keeps everything" : "set", policy.Ms, policy.Messages, policy.Version);
        }
        _retention = policy;
        CheckRetention();
    }

    /// <summary>
    /// Moves the log start as far as the policy allows, or, when it cannot move, deletes the next
    /// step of what an earlier move let go of. Never waits: the snapshot and the delete answer as
    /// messages, and writes go on meanwhile.
    /// </summary>
    private void CheckRetention()
    {
        if (_retention is { } policy)
        {
            var target = RetentionRules.LogStartFor(policy, _state.LogStart, _state.HighWatermark, _index, _maxTicks, DateTimeOffset.UtcNow);
            // One snapshot at a time: two at the same sequence number could not be told apart
            // when they answer, and the next check comes soon enough.
            if (target > _state.LogStart && _snapshotsInFlight.Count == 0)
            {
                if (_inFlight is not null)
                {
                    _advanceDue = true;
                    return;
                }
                AdvanceLogStart(target);
                return;
            }
        }
        StartDeleteStep();
    }

    private void AdvanceLogStart(long target)
    {
        var from = _state.LogStart;
        _state.AdvanceLogStart(target);
        if (target == _state.HighWatermark && (_index.Count == 0 || _index[^1].FirstOffset < target))
        {
            // Everything is let go of: an entry at the end makes the last chunk deletable too
            // (every event up to LastSequenceNr holds offsets below the high-water mark).
            _index.Add(new OffsetIndexEntry(target, LastSequenceNr + 1, _maxTicks));
        }
        _log.Debug("Partition {0}: log start {1} -> {2} (high-water mark {3})", _id, from, target, _state.HighWatermark);
        _gauge?.Publish(_state.LogStart, _state.HighWatermark, null);
        // The new log start must be stored before anything below it is deleted: the delete
        // waits for this snapshot's SaveSnapshotSuccess.
        TakeSnapshot();
    }

    /// <summary>Starts deleting the next bounded step of events below the durable log start, unless a delete is in flight.</summary>
    private void StartDeleteStep()
    {
        if (_deletingTo >= 0)
        {
            return;
        }
        var boundary = RetentionRules.DeleteBoundary(_index, _durableLogStart, _durableSnapshotSequenceNr, _retentionSettings.DeleteBatchEvents);
        if (boundary < 1)
        {
            return;
        }
        var upTo = _index[boundary].SequenceNr - 1;
        if (upTo < 1)
        {
            _index.RemoveRange(0, boundary);
            return;
        }
        _deletingTo = upTo;
        DeleteMessages(upTo);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // Nothing of the failed batch is acknowledged; the batch after it was never written.
        // The actor stops (Akka's rule after a failed persist: its state may be stale) and the
        // next request starts a fresh incarnation, which recovers the truth from the journal —
        // the write may have committed. A second writer of this persistence id lands here too:
        // the journal's unique (persistence_id, sequence_nr) key refuses its write.
        _log.Warning(cause, "Partition {0}: journal write at sequence {1} failed; answering 503 and restarting from the journal", _id, sequenceNr);
        FailPending($"Partition {_id} could not write to its journal ({cause.GetType().Name}: {cause.Message}); retry later");
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "Partition {0}: journal rejected the write at sequence {1}", _id, sequenceNr);
        FailPending($"Partition {_id}: the journal rejected the write ({cause.Message})");
        _inFlight = null;
        Context.Stop(Self);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _log.Warning(reason, "Partition {0}: recovery from the journal failed; it is retried on the next request", _id);
        base.OnRecoveryFailure(reason, message);
    }

    protected override void PostStop()
    {
        FailPending($"Partition {_id} stopped before answering; retry");
        ReleaseWaiters();
        if (_gauge is not null)
        {
            QueueMetrics.PartitionStopped(_gauge);
        }
        base.PostStop();
    }

    private void FailPending(string reason)
    {
        var failure = new RequestFailed(QueueErrorKind.Unavailable, reason);
        _inFlight?.FailAll(failure);
        _next.FailAll(failure);
        _inFlight = null;
        _next = new Batch();
    }

    private void StopIfDrained()
    {
        if (_stopping && _inFlight is null && _next.IsEmpty)
        {
            Context.Stop(Self);
        }
    }

    private MessagesAppended Append(AppendMessages append)
    {
        if (append.Sequence is { } sequence)
        {
            // The newest batch of this producer: pending, in flight or committed (a retry can
            // overtake the commit of its original).
            var last = _next.Sequences.TryGetValue(sequence.ProducerId, out var pending) ? pending
                : _inFlight is not null && _inFlight.Sequences.TryGetValue(sequence.ProducerId, out var flying) ? flying
                : _sequences.TryGetValue(sequence.ProducerId, out var committed) ? committed
                : (ProducerBatch?)null;
            if (last is { } l && sequence.Sequence == l.Sequence)
            {
                return new MessagesAppended(l.FirstOffset, l.Count, AppendStatus.Duplicate, l.Sequence);
            }
            if (last is { } older && sequence.Sequence < older.Sequence)
            {
                return new MessagesAppended(-1, 0, AppendStatus.StaleSequence, older.Sequence);
            }
        }
        var first = _state.HighWatermark + (_inFlight?.Messages.Count ?? 0) + _next.Messages.Count;
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < append.Items.Count; i++)
        {
            var item = append.Items[i];
            _next.Messages.Add(new StoredMessage(first + i, item.Payload, item.ProducerId, now));
        }
        if (append.Sequence is { } s)
        {
            _next.Sequences[s.ProducerId] = new ProducerBatch(s.Sequence, first, append.Items.Count);
        }
        return new MessagesAppended(first, append.Items.Count);
    }

    /// <returns>False when the message to deliver is neither in memory nor in the cold page (read it first).</returns>
    private bool TryConsume(ConsumeNext consume, out NextConsumed result)
    {
        var position = PositionOf(consume.ConsumerId, consume.From);
        // Only committed messages are delivered: one still being written could be lost by a
        // failed write after we handed it out.
        if (position >= _state.HighWatermark)
        {
            if (!HasPosition(consume.ConsumerId))
            {
                // Record where an unpinned consumer starts, or "latest" would drift forward.
                _next.Positions[consume.ConsumerId] = position;
            }
            result = new NextConsumed(null, 0);
            return true;
        }
        if (!TryRead(position, out var message))
        {
            result = null!;
            return false;
        }
        _next.Positions[consume.ConsumerId] = position + 1;
        _lastDelivery[consume.ConsumerId] = (consume.RequestId, position);
        result = new NextConsumed(message, _state.HighWatermark - position - 1);
        return true;
    }

    private void ReturnDelivered(ReturnDelivery handBack)
    {
        if (_lastDelivery.TryGetValue(handBack.ConsumerId, out var last) && last.RequestId == handBack.RequestId
            && PositionOf(handBack.ConsumerId, StartFrom.Latest) == last.Offset + 1)
        {
            _lastDelivery.Remove(handBack.ConsumerId);
            _next.Positions[handBack.ConsumerId] = last.Offset;
            _log.Debug("Partition {0}: consumer {1} handed back offset {2} (its caller never got it)", _id, handBack.ConsumerId, last.Offset);
        }
    }

    private void Fetch(FetchMessages fetch)
    {
        var from = Math.Max(fetch.Offset, _state.LogStart);
        var until = Math.Min(_state.HighWatermark, from + Math.Max(0, fetch.Max));
        var messages = new List<StoredMessage>((int)Math.Max(0, until - from));
        for (var offset = from; offset < until; offset++)
        {
            if (!TryRead(offset, out var message))
            {
                // Older than what memory holds: read the range from the journal without
                // holding up this partition; committed messages never change, so the answer
                // is right whenever it arrives.
                var wanted = offset;
                ReadRange(offset, (int)(until - offset)).PipeTo(Sender,
                    success: older => new MessagesFetched([.. messages, .. Contiguous(older, wanted)], _state.LogStart, _state.HighWatermark),
                    failure: ex => new RequestFailed(QueueErrorKind.Unavailable, $"Partition {_id}: reading the journal failed ({ex.Message}); retry later"));
                return;
            }
            messages.Add(message);
        }
        Sender.Tell(new MessagesFetched(messages, _state.LogStart, _state.HighWatermark));
    }

    /// <summary>
    /// The run of <paramref name="page"/> that starts at <paramref name="offset"/> without a gap.
    /// A journal read races with retention: events it had yet to reach may be deleted meanwhile,
    /// and an answer must never skip an offset silently.
    /// </summary>
    private static IReadOnlyList<StoredMessage> Contiguous(IReadOnlyList<StoredMessage> page, long offset)
    {
        var run = 0;
        while (run < page.Count && page[run].Offset == offset + run)
        {
            run++;
        }
        return run == page.Count ? page : page.Take(run).ToList();
    }

    private bool TryRead(long offset, out StoredMessage message)
    {
        if (_state.TryGetCached(offset, out message))
        {
            return true;
        }
        if (_coldPage.Count > 0 && offset >= _coldPage[0].Offset && offset <= _coldPage[^1].Offset)
        {
            message = _coldPage[(int)(offset - _coldPage[0].Offset)];
            return true;
        }
        return false;
    }

    private void StartColdRead(long offset)
    {
        ReadRange(offset, _settings.ReadPageSize).PipeTo(Self,
            success: page => new ColdPageLoaded(offset, page),
            failure: ex => new ColdPageFailed(ex));
        BecomeStacked(ReadingCold);
    }

    private bool ReadingCold(object message)
    {
        switch (message)
        {
            case ColdPageLoaded loaded:
                if (loaded.Page.Count == 0 || loaded.Page[0].Offset != loaded.Offset)
                {
                    // The journal lacks a message below the committed high-water mark: the log is
                    // damaged; refuse to deliver rather than skip it.
                    _log.Error("Partition {0}: journal has no message at committed offset {1}", _id, loaded.Offset);
                    FailColdRead(new InvalidOperationException($"journal has no message at committed offset {loaded.Offset}"));
                    return true;
                }
                _coldPage = loaded.Page;
                UnbecomeStacked();
                Stash.UnstashAll();
                return true;
            case ColdPageFailed failed:
                FailColdRead(failed.Cause);
                return true;
            default:
                Stash.Stash();
                return true;
        }
    }

    private void FailColdRead(Exception cause)
    {
        _log.Warning(cause, "Partition {0}: reading old messages from the journal failed", _id);
        // The consume that needed the page is first in the stash; it and everything after it is
        // handled again, and that consume reads again. To avoid a tight loop on a broken journal
        // the actor restarts instead: its next incarnation recovers and the askers retry.
        UnbecomeStacked();
        Stash.UnstashAll();
        throw new InvalidOperationException($"partition {_id}: cold read failed", cause);
    }

    /// <summary>Committed messages from <paramref name="offset"/> on, at most <paramref name="max"/>, read from the journal by sequence range.</summary>
    private Task<IReadOnlyList<StoredMessage>> ReadRange(long offset, int max)
    {
        var fromSequence = 1L;
        // The last index entry at or below the offset: events before it hold older offsets only.
        var lo = 0;
        var hi = _index.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (_index[mid].FirstOffset <= offset)
            {
                fromSequence = _index[mid].SequenceNr;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        var journal = PersistenceQuery.Get(Context.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var page = new List<StoredMessage>(Math.Min(max, 1024));
        var materializer = Context.System.Materializer();
        return journal.CurrentEventsByPersistenceId(PersistenceId, fromSequence, long.MaxValue)
            .TakeWhile(_ => page.Count < max)
            .RunForeach(e =>
            {
                if (e.Event is PartitionBatchCommitted batch)
                {
                    foreach (var m in batch.Messages)
                    {
                        if (m.Offset >= offset && page.Count < max)
                        {
                            page.Add(m);
                        }
                    }
                }
            }, materializer)
            .ContinueWith(t =>
            {
                t.GetAwaiter().GetResult();
                return (IReadOnlyList<StoredMessage>)page;
            }, TaskScheduler.Default);
    }

    // A position below the log start (retention passed it) reads as the log start.
    private long PositionOf(long consumerId, StartFrom from) =>
        _next.Positions.TryGetValue(consumerId, out var pending) ? Math.Max(pending, _state.LogStart)
        : _inFlight is not null && _inFlight.Positions.TryGetValue(consumerId, out var flying) ? Math.Max(flying, _state.LogStart)
        : _state.PositionOf(consumerId, from);

    private bool HasPosition(long consumerId) =>
        _next.Positions.ContainsKey(consumerId) || (_inFlight?.Positions.ContainsKey(consumerId) ?? false) || _state.Positions.ContainsKey(consumerId);

    private void WakeWaiters()
    {
        if (_waiters.Count == 0)
        {
            return;
        }
        var highWatermark = _state.HighWatermark;
        _waiters.RemoveAll(w =>
        {
            if (w.Offset < highWatermark)
            {
                w.Asker.Tell(new MessagesAvailable(highWatermark));
                return true;
            }
            return w.Expired;
        });
    }

    private void PruneWaiters()
    {
        // Askers that gave up are dropped here, so a quiet partition under steady long-polling
        // keeps a short list.
        if (_waiters.Count >= 64)
        {
            _waiters.RemoveAll(w => w.Expired);
        }
    }

    private void ReleaseWaiters()
    {
        // "Nothing new yet" is a safe answer: the waiter polls again and finds the new owner.
        foreach (var w in _waiters)
        {
            w.Asker.Tell(new MessagesAvailable(w.Offset));
        }
        _waiters.Clear();
    }

    /// <summary>Where a producer's idempotent batch landed in this partition.</summary>
    private readonly record struct ProducerBatch(long Sequence, long FirstOffset, int Count);

    private sealed record Waiter(IActorRef Asker, long Offset, long DeadlineUtcTicks)
    {
        public bool Expired => DeadlineUtcTicks != 0 && DateTime.UtcNow.Ticks > DeadlineUtcTicks;
    }

    /// <summary>The requests gathered for one write, and their answers.</summary>
    private sealed class Batch
    {
        public readonly List<StoredMessage> Messages = [];
        public readonly Dictionary<long, long> Positions = [];
        public readonly Dictionary<long, ProducerBatch> Sequences = [];
        public readonly List<(IActorRef Asker, object Reply)> Replies = [];

        public long WriteStartedAt;

        public int Requests => Replies.Count;

        public bool HasWrites => Messages.Count > 0 || Positions.Count > 0;

        public bool IsEmpty => !HasWrites && Replies.Count == 0;

        /// <summary>
        /// Usually one event. A batch of large messages is cut at <paramref name="maxBytes"/> so
        /// no single journal row grows without bound; positions and sequences go with the last
        /// piece, and the pieces are written together and answered after the last.
        /// </summary>
        public List<PartitionBatchCommitted> ToEvents(long maxBytes)
        {
            var positions = Positions.Select(p => new ConsumerPosition(p.Key, p.Value)).ToList();
            var sequences = Sequences.Select(s => new ProducerBatchRecord(s.Key, s.Value.Sequence, s.Value.FirstOffset, s.Value.Count)).ToList();
            var events = new List<PartitionBatchCommitted>(1);
            var start = 0;
            long bytes = 0;
            for (var i = 0; i < Messages.Count; i++)
            {
                // Worst case three UTF-8 bytes per char; the estimate only has to be safe.
                var size = Messages[i].Payload.Length * 3L;
                if (i > start && bytes + size > maxBytes)
                {
                    events.Add(new PartitionBatchCommitted(Messages.GetRange(start, i - start), [], []));
                    start = i;
                    bytes = 0;
                }
                bytes += size;
            }
            events.Add(new PartitionBatchCommitted(Messages.GetRange(start, Messages.Count - start), positions, sequences));
            return events;
        }

        public void ReplyAll()
        {
            foreach (var (asker, reply) in Replies)
            {
                asker.Tell(reply);
            }
            Replies.Clear();
        }

        public void FailAll(RequestFailed failure)
        {
            foreach (var (asker, _) in Replies)
            {
                asker.Tell(failure);
            }
            Replies.Clear();
        }
    }

    private sealed class FlushNow
    {
        public static readonly FlushNow Instance = new();
    }

    private sealed class RetentionTick
    {
        public static readonly RetentionTick Instance = new();
    }

    private sealed class RefreshRetention
    {
        public static readonly RefreshRetention Instance = new();
    }

    private sealed record ColdPageLoaded(long Offset, IReadOnlyList<StoredMessage> Page);

    private sealed record ColdPageFailed(Exception Cause);
}

/// <summary>
/// Sharding's hand-off and passivation stop message for partitions: unlike a PoisonPill it lets
/// the entity finish (and answer) the write in flight and the requests it already accepted.
/// </summary>
public sealed class StopPartition
{
    public static readonly StopPartition Instance = new();
}
