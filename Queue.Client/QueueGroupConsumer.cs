using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Queue.Client.Internal;
using Queue.Client.Transport;

namespace Queue.Client;

/// <summary>
/// A member of a consumer group: reads the partitions the group assigns to it, and only those.
/// Heartbeats run in the background from creation to disposal; when the assignment changes (a
/// member joined, left or timed out) reading stops on partitions taken away and starts on new
/// ones at the group's committed offset. A message counts as processed when the loop asks for
/// the next one; processed offsets are committed (with the current generation) whenever no
/// message is waiting, every <see cref="QueueGroupConsumerOptions.MaxPollMessages"/> messages,
/// and at the end: at-least-once. Disposing commits and leaves the group, so the partitions move
/// at once instead of after the session timeout.
/// </summary>
/// <example>
/// <code>
/// await using var consumer = await client.CreateGroupConsumerAsync("orders-service", "orders",
///     new QueueGroupConsumerOptions { From = ConsumerStart.Earliest, OnAssignmentChanged = a => Console.WriteLine($"now {string.Join(",", a.Partitions)}") });
/// await foreach (var message in consumer.ConsumeAsync(cancellationToken))
/// {
///     Handle(message);
/// }
/// </code>
/// </example>
public sealed class QueueGroupConsumer : IAsyncDisposable
{
    private readonly IQueueTransport _transport;
    private readonly IQueueGroupTransport _groups;
    private readonly RetryPolicy _retry;
    private readonly QueueGroupConsumerOptions _options;
    private readonly CancellationTokenSource _life = new();
    private readonly SemaphoreSlim _heartbeatNow = new(0, 1);
    // Everything below is guarded by _gate, held only for dictionary work, never across an await.
    private readonly Lock _gate = new();
    private readonly Dictionary<int, Lane> _lanes = [];
    private ConsumerGroupAssignment _assignment;
    private ChannelWriter<(long Epoch, ConsumedMessage Message)>? _buffer;
    private CancellationToken _consuming;
    private long _lastEpoch;
    private Task _heartbeats = Task.CompletedTask;
    private int _enumerating;
    private bool _disposed;

    private QueueGroupConsumer(IQueueTransport transport, IQueueGroupTransport groups, RetryPolicy retry, QueueGroupConsumerOptions options, string group, string topic, ConsumerGroupAssignment assignment)
    {
        _transport = transport;
        _groups = groups;
        _retry = retry;
        _options = options;
        Group = group;
        Topic = topic;
        _assignment = assignment;
        Adopt(assignment);
    }

    /// <summary>The group's name.</summary>
    public string Group { get; }

    /// <summary>The topic the group consumes.</summary>
    public string Topic { get; }

    /// <summary>The current assignment: member id, generation and partitions.</summary>
    public ConsumerGroupAssignment Assignment
    {
        get
        {
            lock (_gate)
            {
                return _assignment;
            }
        }
    }

    // A rejoin whose answer has not arrived yet; only the heartbeat loop touches it.
    private string? _rejoinId;

    private static string NewMemberId() => Guid.NewGuid().ToString("N");

    internal static async Task<QueueGroupConsumer> CreateAsync(
        IQueueTransport transport, IQueueGroupTransport groups, RetryPolicy retry, string group, string topic, QueueGroupConsumerOptions options, CancellationToken cancellationToken)
    {
        // One id for every attempt of this join: a retry after a lost answer is then recognised
        // by the group instead of adding a second member that holds partitions until it times out.
        var memberId = NewMemberId();
        var assignment = await retry.RunAsync(ct => groups.JoinGroupAsync(group, topic, options.SessionTimeout, options.From, memberId, ct), cancellationToken);
        var consumer = new QueueGroupConsumer(transport, groups, retry, options, group, topic, assignment);
        consumer._heartbeats = Task.Run(consumer.HeartbeatLoopAsync, CancellationToken.None);
        return consumer;
    }

    /// <summary>
    /// Yields messages of the assigned partitions as they arrive, in offset order per partition,
    /// until <paramref name="cancellationToken"/> is cancelled or the loop breaks. One enumeration at a time.
    /// </summary>
    /// <param name="cancellationToken">Stops consuming.</param>
    /// <exception cref="QueueClientException">A partition could not be read even after retries.</exception>
    public async IAsyncEnumerable<ConsumedMessage> ConsumeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _enumerating, 1) == 1)
        {
            throw new InvalidOperationException("This consumer is already being enumerated; use one ConsumeAsync loop at a time.");
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _life.Token);
        var buffer = Channel.CreateBounded<(long Epoch, ConsumedMessage Message)>(new BoundedChannelOptions(_options.MaxPollMessages)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        lock (_gate)
        {
            _buffer = buffer.Writer;
            _consuming = stop.Token;
            foreach (var (partition, lane) in _lanes)
            {
                StartPoller(partition, lane);
            }
        }
        var sinceCommit = 0;
        try
        {
            while (true)
            {
                if (!buffer.Reader.TryRead(out var item))
                {
                    if (sinceCommit > 0)
                    {
                        // Idle: a good moment to commit, since nothing is waiting to be processed.
                        await CommitAsync(stop.Token);
                        sinceCommit = 0;
                    }
                    if (!await buffer.Reader.WaitToReadAsync(stop.Token))
                    {
                        yield break;
                    }
                    continue;
                }
                if (!Owns(item.Message.Partition, item.Epoch))
                {
                    // Fetched before the partition was taken away (or restarted): not ours to process.
                    continue;
                }
                yield return item.Message;
                lock (_gate)
                {
                    if (_lanes.TryGetValue(item.Message.Partition, out var lane) && lane.Epoch == item.Epoch)
                    {
                        lane.Processed = item.Message.Offset + 1;
                    }
                }
                if (++sinceCommit >= _options.MaxPollMessages)
                {
                    await CommitAsync(stop.Token);
                    sinceCommit = 0;
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _buffer = null;
                foreach (var lane in _lanes.Values)
                {
                    lane.StopPoller();
                }
            }
            if (sinceCommit > 0 && !_life.IsCancellationRequested)
            {
                await CommitAsync(CancellationToken.None);
            }
            Volatile.Write(ref _enumerating, 0);
        }
    }

    /// <summary>
    /// Commits what was processed, with the current generation. When the generation is already
    /// over (the assignment changed) nothing is committed; the new owner of a partition re-reads
    /// from the last commit that was accepted, so nothing is skipped.
    /// </summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        List<MessageOffset> dirty;
        ConsumerGroupAssignment assignment;
        lock (_gate)
        {
            assignment = _assignment;
            dirty = _lanes.Where(l => l.Value.Processed != l.Value.Committed).Select(l => new MessageOffset(l.Key, l.Value.Processed)).ToList();
        }
        if (dirty.Count == 0)
        {
            return;
        }
        try
        {
            await _retry.RunAsync(async ct =>
            {
                await _groups.CommitGroupAsync(Group, assignment.MemberId, assignment.Generation, dirty, ct);
                return true;
            }, cancellationToken);
        }
        catch (Exception ex) when (ex is QueueConflictException or QueueNotFoundException)
        {
            // The generation moved on (or the member was removed): learn the new assignment now.
            WakeHeartbeat();
            return;
        }
        lock (_gate)
        {
            if (_assignment.MemberId != assignment.MemberId)
            {
                return;
            }
            foreach (var offset in dirty)
            {
                if (_lanes.TryGetValue(offset.Partition, out var lane))
                {
                    lane.Committed = Math.Max(lane.Committed, offset.Offset);
                }
            }
        }
    }

    /// <summary>Stops heartbeats, commits what was processed and leaves the group (its partitions move to the other members at once).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            await CommitAsync(CancellationToken.None);
        }
        catch (QueueClientException)
        {
            // The group re-delivers from the last accepted commit: at-least-once either way.
        }
        await _life.CancelAsync();
        try
        {
            await _heartbeats;
        }
        catch (OperationCanceledException)
        {
        }
        string member;
        lock (_gate)
        {
            member = _assignment.MemberId;
            foreach (var lane in _lanes.Values)
            {
                lane.StopPoller();
            }
        }
        try
        {
            await _groups.LeaveGroupAsync(Group, member, CancellationToken.None);
        }
        catch (QueueClientException)
        {
            // Already removed, or the server is unreachable: the session timeout removes us.
        }
        _life.Dispose();
    }

    private void WakeHeartbeat()
    {
        try
        {
            _heartbeatNow.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is already pending.
        }
    }

    private bool Owns(int partition, long epoch)
    {
        lock (_gate)
        {
            return _lanes.TryGetValue(partition, out var lane) && lane.Epoch == epoch;
        }
    }

    private async Task HeartbeatLoopAsync()
    {
        var token = _life.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _heartbeatNow.WaitAsync(_options.Heartbeat, token);
                var current = Assignment;
                ConsumerGroupAssignment next;
                try
                {
                    next = await _groups.HeartbeatAsync(Group, current.MemberId, current.Generation, token);
                }
                catch (QueueNotFoundException)
                {
                    // Removed (a pause longer than the session timeout): join again as a new member.
                    // The same id until a rejoin is answered, for the reason given in CreateAsync.
                    var memberId = _rejoinId ??= NewMemberId();
                    next = await _groups.JoinGroupAsync(Group, Topic, _options.SessionTimeout, _options.From, memberId, token);
                    _rejoinId = null;
                }
                if (next.Generation != current.Generation || next.MemberId != current.MemberId)
                {
                    lock (_gate)
                    {
                        _assignment = next;
                        Adopt(next);
                    }
                    _options.OnAssignmentChanged?.Invoke(next);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (QueueClientException)
            {
                // Unreachable or refused this time; the next heartbeat tries again, and the
                // session timeout is several heartbeats long.
            }
        }
    }

    /// <summary>Takes on an assignment (under <see cref="_gate"/> except in the constructor): stop lanes taken away, start new ones at the committed offsets, keep the rest where they are.</summary>
    private void Adopt(ConsumerGroupAssignment assignment)
    {
        var rejoined = _lanes.Count > 0 && _lanes.Values.First().MemberId != assignment.MemberId;
        foreach (var partition in _lanes.Keys.ToList())
        {
            if (rejoined || !assignment.Partitions.Contains(partition))
            {
                _lanes[partition].StopPoller();
                _lanes.Remove(partition);
            }
        }
        var offsets = assignment.Offsets.ToDictionary(o => o.Partition, o => o.Offset);
        foreach (var partition in assignment.Partitions)
        {
            if (_lanes.ContainsKey(partition))
            {
                continue;
            }
            var start = offsets.GetValueOrDefault(partition);
            var lane = new Lane(assignment.MemberId, ++_lastEpoch, start);
            _lanes[partition] = lane;
            if (_buffer is not null)
            {
                StartPoller(partition, lane);
            }
        }
    }

    private void StartPoller(int partition, Lane lane)
    {
        var buffer = _buffer!;
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_consuming);
        lane.Poller = stop;
        _ = PollAsync(partition, lane.Epoch, lane.Processed, buffer, stop.Token);
    }

    private async Task PollAsync(int partition, long epoch, long offset, ChannelWriter<(long, ConsumedMessage)> buffer, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var fetched = await _retry.RunAsync(
                    ct => _transport.FetchAsync(Topic, partition, offset, _options.MaxPollMessages, _options.PollWait, ct), cancellationToken);
                foreach (var message in fetched.Messages)
                {
                    await buffer.WriteAsync((epoch, message), cancellationToken);
                    offset = message.Offset + 1;
                }
                if (fetched.Messages.Count == 0)
                {
                    // The log may have been truncated below us; continue where it starts now.
                    offset = Math.Max(offset, fetched.LogStart);
                    if (_options.PollWait == TimeSpan.Zero)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Surfaces in the ConsumeAsync loop, as with QueueConsumer.
            buffer.TryComplete(ex);
        }
    }

    private sealed class Lane(string memberId, long epoch, long start)
    {
        public string MemberId { get; } = memberId;

        /// <summary>Tells this lane's fetched messages from an earlier lane of the same partition.</summary>
        public long Epoch { get; } = epoch;

        public long Processed { get; set; } = start;

        public long Committed { get; set; } = start;

        public CancellationTokenSource? Poller { get; set; }

        public void StopPoller()
        {
            Poller?.Cancel();
            Poller?.Dispose();
            Poller = null;
        }
    }
}
