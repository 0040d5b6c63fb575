using Microsoft.Extensions.Logging;
using Queue.Core.Actors;
using Queue.Core.Configuration;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;

namespace Queue.Node.Partitions;

/// <summary>
/// The single writer of one partition (a persistent actor). Handles, per batch taken from its
/// mailbox: <see cref="AppendMessages"/>, <see cref="ConsumeNext"/>, <see cref="GetBacklog"/>,
/// <see cref="PinConsumer"/>, <see cref="FetchMessages"/>, <see cref="WaitForMessages"/>,
/// <see cref="CommitPosition"/>.
/// A batch becomes one journal write (group commit) and every reply waits for that commit, so
/// nothing is acknowledged or delivered that a crash could take back. Long-poll waiters are kept
/// aside (never blocking the loop) and answered after the commit that passes their offset.
/// </summary>
internal sealed partial class PartitionActor(
    PartitionId id,
    IPartitionJournal journal,
    PartitionSettings settings,
    long maxWriteBytes,
    IPartitionOwnership ownership,
    TimeProvider time,
    ILogger<PartitionActor> logger) : Actor
{
    private readonly List<StoredMessage> _pendingMessages = [];
    private readonly Dictionary<long, long> _pendingPositions = [];
    private readonly List<(Envelope Envelope, object Reply)> _replies = [];
    private readonly Dictionary<long, ProducerBatch> _pendingSequences = [];
    // Each producer's last idempotent batch here, journaled with the batch and recovered with
    // the partition, so a batch retried after a restart or a failover is still recognised.
    private readonly Dictionary<long, ProducerBatch> _sequences = [];
    private readonly List<(Envelope Envelope, long Offset)> _waiters = [];
    private PartitionLog _log = null!;
    private long _epoch;
    private long _pendingBytes;

    // The last page read from the journal for offsets older than the in-memory tail: consumers
    // catching up read forward, so one page serves many consecutive requests.
    private IReadOnlyList<StoredMessage> _coldPage = [];

    protected override async Task PreStartAsync(CancellationToken cancellationToken)
    {
        // In a cluster the manager's epoch is the fence; asking for it also refuses to start a
        // partition this node does not own (the request is then retried on the owner).
        var recovery = await journal.RecoverAsync(id, ownership.EpochFor(id), settings.TailCacheMessages, cancellationToken);
        _epoch = recovery.Epoch;
        _log = new PartitionLog(recovery.LogStart, recovery.HighWatermark, recovery.Positions, recovery.Tail, settings.TailCacheMessages);
        _coldPage = [];
        _sequences.Clear();
        foreach (var batch in recovery.Sequences)
        {
            _sequences[batch.ProducerId] = new ProducerBatch(batch.Sequence, batch.FirstOffset, batch.Count);
        }
        LogRecovered(id.Topic, id.Partition, _epoch, recovery.HighWatermark, recovery.Positions.Count);
    }

    protected override ValueTask ReceiveAsync(Envelope envelope, CancellationToken cancellationToken) =>
        ReceiveBatchAsync([envelope], cancellationToken);

    protected override async ValueTask ReceiveBatchAsync(IReadOnlyList<Envelope> batch, CancellationToken cancellationToken)
    {
        _pendingMessages.Clear();
        _pendingPositions.Clear();
        _pendingSequences.Clear();
        _pendingBytes = 0;
        _replies.Clear();
        var now = time.GetUtcNow();
        try
        {
            await HandleBatchAsync(batch, now, cancellationToken);
        }
        catch
        {
            // The cell is about to throw this instance away; waiters it holds would otherwise
            // sit until their askers time out. "Nothing new yet" is a safe answer: they poll again.
            ReleaseWaiters();
            throw;
        }
    }

    protected override ValueTask PostStopAsync()
    {
        ReleaseWaiters();
        return ValueTask.CompletedTask;
    }

    private async ValueTask HandleBatchAsync(IReadOnlyList<Envelope> batch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var envelope in batch)
        {
            switch (envelope.Message)
            {
                case AppendMessages append:
                    _replies.Add((envelope, Append(append, now)));
                    if (_pendingBytes >= maxWriteBytes)
                    {
                        // A mailbox batch of large messages would exceed what one journal write
                        // may carry; commit what we have and go on with the rest of the batch.
                        await CommitAsync(cancellationToken);
                    }
                    break;

                case WaitForMessages wait:
                    // Answered now if there is something to read; else kept until a commit passes
                    // the offset. Never awaited here: the loop must go on serving the partition.
                    if (wait.Offset < _log.HighWatermark)
                    {
                        _replies.Add((envelope, new MessagesAvailable(_log.HighWatermark)));
                    }
                    else
                    {
                        _waiters.Add((envelope, wait.Offset));
                    }
                    break;

                case CommitPosition commit:
                    var accepted = commit.Offset >= _log.LogStart && commit.Offset <= _log.HighWatermark;
                    if (accepted)
                    {
                        _pendingPositions[commit.ConsumerId] = commit.Offset;
                    }
                    _replies.Add((envelope, new PositionCommitted(
                        accepted, accepted ? commit.Offset : PositionOf(commit.ConsumerId, StartFrom.Latest), _log.LogStart, _log.HighWatermark)));
                    break;

                case ConsumeNext consume:
                    _replies.Add((envelope, await ConsumeAsync(consume, cancellationToken)));
                    break;

                case GetBacklog backlog:
                    _replies.Add((envelope, new BacklogReported(PositionOf(backlog.ConsumerId, backlog.From), _log.HighWatermark)));
                    break;

                case PinConsumer pin:
                    // Pinning twice keeps the first position: registration retries are harmless.
                    var position = PositionOf(pin.ConsumerId, pin.From);
                    if (!_log.Positions.ContainsKey(pin.ConsumerId))
                    {
                        _pendingPositions[pin.ConsumerId] = position;
                    }
                    _replies.Add((envelope, new ConsumerPinned(position)));
                    break;

                case FetchMessages fetch:
                    _replies.Add((envelope, await FetchAsync(fetch, cancellationToken)));
                    break;

                default:
                    envelope.Fail(new InvalidOperationException($"partition {id} does not handle {envelope.Message.GetType().Name}"));
                    break;
            }
        }

        await CommitAsync(cancellationToken);
    }

    /// <summary>Writes what is pending as one journal write, applies it, then answers everyone waiting on it.</summary>
    private async ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        if (_pendingMessages.Count > 0 || _pendingPositions.Count > 0)
        {
            var positions = _pendingPositions.Select(kv => new ConsumerPosition(kv.Key, kv.Value)).ToList();
            var messages = _pendingMessages.ToList();
            // If this throws, the cell fails the whole batch and restarts us: in-memory state was
            // not touched, and the restart re-reads the truth (the commit may have happened).
            // Requests answered by an earlier commit of this batch keep their answers.
            var sequences = _pendingSequences.Select(kv => new ProducerBatchRecord(kv.Key, kv.Value.Sequence, kv.Value.FirstOffset, kv.Value.Count)).ToList();
            await journal.WriteAsync(id, _epoch, new PartitionWrite(messages, positions) { Sequences = sequences }, cancellationToken);
            _log.Apply(messages, positions);
            foreach (var (producerId, last) in _pendingSequences)
            {
                _sequences[producerId] = last;
            }
        }
        _pendingMessages.Clear();
        _pendingPositions.Clear();
        _pendingSequences.Clear();
        _pendingBytes = 0;

        foreach (var (envelope, reply) in _replies)
        {
            envelope.Reply(reply);
        }
        _replies.Clear();
        WakeWaiters();
    }

    private MessagesAppended Append(AppendMessages append, DateTimeOffset now)
    {
        if (append.Sequence is { } sequence)
        {
            // The newest batch of this producer, counting one earlier in this same mailbox batch
            // (a retry can overtake the commit of its original).
            var last = _pendingSequences.TryGetValue(sequence.ProducerId, out var pending) ? pending
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
        var first = _log.HighWatermark + _pendingMessages.Count;
        for (var i = 0; i < append.Items.Count; i++)
        {
            var item = append.Items[i];
            _pendingMessages.Add(new StoredMessage(first + i, item.Payload, item.ProducerId, now));
            // Worst case three UTF-8 bytes per char; the estimate only has to be safe.
            _pendingBytes += item.Payload.Length * 3L;
        }
        if (append.Sequence is { } s)
        {
            _pendingSequences[s.ProducerId] = new ProducerBatch(s.Sequence, first, append.Items.Count);
        }
        return new MessagesAppended(first, append.Items.Count);
    }

    private void WakeWaiters()
    {
        if (_waiters.Count == 0)
        {
            return;
        }
        var highWatermark = _log.HighWatermark;
        // Askers that timed out are completed already; dropping them here is what keeps the
        // list from growing while a partition stays quiet under steady polling.
        _waiters.RemoveAll(w =>
        {
            if (w.Envelope.IsCompleted)
            {
                return true;
            }
            if (w.Offset < highWatermark)
            {
                w.Envelope.Reply(new MessagesAvailable(highWatermark));
                return true;
            }
            return false;
        });
    }

    private void ReleaseWaiters()
    {
        foreach (var (envelope, offset) in _waiters)
        {
            envelope.Reply(new MessagesAvailable(offset));
        }
        _waiters.Clear();
    }

    private async ValueTask<NextConsumed> ConsumeAsync(ConsumeNext consume, CancellationToken cancellationToken)
    {
        var position = PositionOf(consume.ConsumerId, consume.From);
        // Only committed messages are delivered: one appended earlier in this same batch is not
        // durable yet, and handing it out could deliver a message a failed commit then loses.
        if (position >= _log.HighWatermark)
        {
            if (!_log.Positions.ContainsKey(consume.ConsumerId) && !_pendingPositions.ContainsKey(consume.ConsumerId))
            {
                // Record where an unpinned consumer starts, or "latest" would drift forward.
                _pendingPositions[consume.ConsumerId] = position;
            }
            return new NextConsumed(null, 0);
        }
        var message = await ReadCommittedAsync(position, cancellationToken);
        _pendingPositions[consume.ConsumerId] = position + 1;
        return new NextConsumed(message, _log.HighWatermark - position - 1);
    }

    private async ValueTask<MessagesFetched> FetchAsync(FetchMessages fetch, CancellationToken cancellationToken)
    {
        var from = Math.Max(fetch.Offset, _log.LogStart);
        var until = Math.Min(_log.HighWatermark, from + Math.Max(0, fetch.Max));
        var messages = new List<StoredMessage>((int)Math.Max(0, until - from));
        for (var offset = from; offset < until; offset++)
        {
            messages.Add(await ReadCommittedAsync(offset, cancellationToken));
        }
        return new MessagesFetched(messages, _log.LogStart, _log.HighWatermark);
    }

    private long PositionOf(long consumerId, StartFrom from) =>
        _pendingPositions.TryGetValue(consumerId, out var pending) ? pending : _log.PositionOf(consumerId, from);

    private async ValueTask<StoredMessage> ReadCommittedAsync(long offset, CancellationToken cancellationToken)
    {
        if (_log.TryGetCached(offset, out var cached))
        {
            return cached;
        }
        if (_coldPage.Count > 0 && offset >= _coldPage[0].Offset && offset <= _coldPage[^1].Offset)
        {
            return _coldPage[(int)(offset - _coldPage[0].Offset)];
        }
        _coldPage = await journal.ReadAsync(id, offset, settings.ReadPageSize, cancellationToken);
        if (_coldPage.Count == 0 || _coldPage[0].Offset != offset)
        {
            throw new InvalidOperationException($"partition {id}: journal has no message at committed offset {offset}");
        }
        return _coldPage[0];
    }

    /// <summary>Where a producer's idempotent batch landed in this partition.</summary>
    private readonly record struct ProducerBatch(long Sequence, long FirstOffset, int Count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition {Topic}/{Partition} recovered at epoch {Epoch}: high-water mark {HighWatermark}, {Consumers} consumer positions")]
    private partial void LogRecovered(string topic, int partition, long epoch, long highWatermark, int consumers);
}
