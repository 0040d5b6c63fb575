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
/// <see cref="PinConsumer"/>, <see cref="FetchMessages"/>.
/// A batch becomes one journal write (group commit) and every reply waits for that commit, so
/// nothing is acknowledged or delivered that a crash could take back.
/// </summary>
internal sealed partial class PartitionActor(
    PartitionId id,
    IPartitionJournal journal,
    PartitionSettings settings,
    long maxWriteBytes,
    TimeProvider time,
    ILogger<PartitionActor> logger) : Actor
{
    private readonly List<StoredMessage> _pendingMessages = [];
    private readonly Dictionary<long, long> _pendingPositions = [];
    private readonly List<(Envelope Envelope, object Reply)> _replies = [];
    private PartitionLog _log = null!;
    private long _epoch;
    private long _pendingBytes;

    // The last page read from the journal for offsets older than the in-memory tail: consumers
    // catching up read forward, so one page serves many consecutive requests.
    private IReadOnlyList<StoredMessage> _coldPage = [];

    protected override async Task PreStartAsync(CancellationToken cancellationToken)
    {
        var recovery = await journal.RecoverAsync(id, epoch: null, settings.TailCacheMessages, cancellationToken);
        _epoch = recovery.Epoch;
        _log = new PartitionLog(recovery.LogStart, recovery.HighWatermark, recovery.Positions, recovery.Tail, settings.TailCacheMessages);
        _coldPage = [];
        LogRecovered(id.Topic, id.Partition, _epoch, recovery.HighWatermark, recovery.Positions.Count);
    }

    protected override ValueTask ReceiveAsync(Envelope envelope, CancellationToken cancellationToken) =>
        ReceiveBatchAsync([envelope], cancellationToken);

    protected override async ValueTask ReceiveBatchAsync(IReadOnlyList<Envelope> batch, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();

        foreach (var envelope in batch)
        {
            switch (envelope.Message)
            {
                case AppendMessages append:
                    var first = _log.HighWatermark + _pendingMessages.Count;
                    for (var i = 0; i < append.Items.Count; i++)
                    {
                        var item = append.Items[i];
                        _pendingMessages.Add(new StoredMessage(first + i, item.Payload, item.ProducerId, now));
                        // Worst case three UTF-8 bytes per char; the estimate only has to be safe.
                        _pendingBytes += item.Payload.Length * 3L;
                    }
                    _replies.Add((envelope, new MessagesAppended(first, append.Items.Count)));
                    if (_pendingBytes >= maxWriteBytes)
                    {
                        // A mailbox batch of large messages would exceed what one journal write
                        // may carry; commit what we have and go on with the rest of the batch.
                        await CommitAsync(cancellationToken);
                    }
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
            try
            {
                await journal.WriteAsync(id, _epoch, new PartitionWrite(messages, positions), cancellationToken);
            }
            finally
            {
                _pendingMessages.Clear();
                _pendingPositions.Clear();
                _pendingBytes = 0;
            }
            _log.Apply(messages, positions);
        }

        foreach (var (envelope, reply) in _replies)
        {
            envelope.Reply(reply);
        }
        _replies.Clear();
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition {Topic}/{Partition} recovered at epoch {Epoch}: high-water mark {HighWatermark}, {Consumers} consumer positions")]
    private partial void LogRecovered(string topic, int partition, long epoch, long highWatermark, int consumers);
}
