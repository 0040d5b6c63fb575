using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Queue.Client.Internal;
using Queue.Client.Transport;

namespace Queue.Client;

/// <summary>
/// Reads one topic (or one partition of it) as a registered consumer, in offset order per
/// partition. <see cref="ConsumeAsync"/> long-polls every partition at once and yields messages
/// as they are committed; positions are committed on the server — automatically for what the
/// loop has processed (at-least-once), or explicitly with <see cref="CommitAsync(ConsumedMessage, CancellationToken)"/>.
/// A consumer created again with the same <see cref="ConsumerId"/> resumes from the committed positions.
/// </summary>
/// <example>
/// <code>
/// await using var consumer = await client.CreateConsumerAsync("logs", new QueueConsumerOptions { From = ConsumerStart.Earliest });
/// await foreach (var message in consumer.ConsumeAsync(cancellationToken))
/// {
///     Console.WriteLine($"{message.Partition}/{message.Offset}: {message.Value}");
/// }
/// </code>
/// </example>
public sealed class QueueConsumer : IAsyncDisposable
{
    private readonly IQueueTransport _transport;
    private readonly RetryPolicy _retry;
    private readonly QueueConsumerOptions _options;
    // Per partition: next offset after the last message yielded, after the last one processed
    // (the loop came back for more), and the last committed position. Guarded by _gate, which
    // is held only for dictionary work, never across an await, and is the only lock here.
    private readonly Dictionary<int, long> _delivered = [];
    private readonly Dictionary<int, long> _processed = [];
    private readonly Dictionary<int, long> _committed = [];
    private readonly Lock _gate = new();
    private int _consuming;
    private bool _disposed;

    private QueueConsumer(IQueueTransport transport, RetryPolicy retry, QueueConsumerOptions options, string topic, long consumerId, IReadOnlyList<PartitionLag> positions)
    {
        _transport = transport;
        _retry = retry;
        _options = options;
        Topic = topic;
        ConsumerId = consumerId;
        Partitions = positions.Select(p => p.Partition).ToList();
        foreach (var position in positions)
        {
            _delivered[position.Partition] = _processed[position.Partition] = _committed[position.Partition] = position.Position;
        }
    }

    /// <summary>The consumer's id on the server; pass it as <see cref="QueueConsumerOptions.ConsumerId"/> to resume.</summary>
    public long ConsumerId { get; }

    /// <summary>The topic read.</summary>
    public string Topic { get; }

    /// <summary>The partitions read.</summary>
    public IReadOnlyList<int> Partitions { get; }

    internal static async Task<QueueConsumer> CreateAsync(
        IQueueTransport transport, RetryPolicy retry, string topic, QueueConsumerOptions options, CancellationToken cancellationToken)
    {
        var id = options.ConsumerId ?? (await retry.RunAsync(
            ct => transport.RegisterConsumerAsync(topic, options.Partition, options.From, ct), cancellationToken)).ConsumerId;
        var positions = await retry.RunAsync(ct => transport.GetPositionsAsync(id, ct), cancellationToken);
        return new QueueConsumer(transport, retry, options, topic, id, positions);
    }

    /// <summary>
    /// Yields messages as they arrive, until <paramref name="cancellationToken"/> is cancelled (then
    /// it throws <see cref="OperationCanceledException"/>) or the loop breaks. One enumeration at a
    /// time. With auto-commit, a message counts as processed when the loop asks for the next one;
    /// processed positions are committed whenever no message is waiting, every
    /// <see cref="QueueConsumerOptions.MaxPollMessages"/> messages, and when the enumeration ends.
    /// </summary>
    /// <param name="cancellationToken">Stops consuming.</param>
    /// <exception cref="QueueClientException">A partition could not be read even after retries.</exception>
    public async IAsyncEnumerable<ConsumedMessage> ConsumeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _consuming, 1) == 1)
        {
            throw new InvalidOperationException("This consumer is already being enumerated; use one ConsumeAsync loop at a time.");
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The buffer is the prefetch: pollers run ahead of the loop by at most this much.
        var buffer = Channel.CreateBounded<ConsumedMessage>(new BoundedChannelOptions(_options.MaxPollMessages)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        List<Task> pollers;
        lock (_gate)
        {
            pollers = Partitions.Select(p => PollAsync(p, _delivered[p], buffer.Writer, stop.Token)).ToList();
        }
        _ = Task.WhenAll(pollers).ContinueWith(
            t => buffer.Writer.TryComplete(t.IsFaulted ? t.Exception!.InnerException : null),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var sinceCommit = 0;
        try
        {
            while (true)
            {
                if (!buffer.Reader.TryRead(out var message))
                {
                    if (_options.AutoCommit && sinceCommit > 0)
                    {
                        // Idle: a good moment to commit, since nothing is waiting to be processed.
                        await CommitProcessedAsync(stop.Token);
                        sinceCommit = 0;
                    }
                    if (!await buffer.Reader.WaitToReadAsync(stop.Token))
                    {
                        yield break;
                    }
                    continue;
                }
                lock (_gate)
                {
                    _delivered[message.Partition] = message.Offset + 1;
                }
                yield return message;
                lock (_gate)
                {
                    _processed[message.Partition] = message.Offset + 1;
                }
                if (_options.AutoCommit && ++sinceCommit >= _options.MaxPollMessages)
                {
                    await CommitProcessedAsync(stop.Token);
                    sinceCommit = 0;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await Task.WhenAll(pollers);
            }
            catch (Exception)
            {
                // Cancelled pollers, or the failure already surfaced through the buffer.
            }
            // Messages prefetched but never yielded are dropped with the buffer: the next
            // enumeration's pollers start from _delivered, right after the last one yielded.
            if (_options.AutoCommit && sinceCommit > 0)
            {
                await CommitProcessedAsync(CancellationToken.None);
            }
            Volatile.Write(ref _consuming, 0);
        }
    }

    /// <summary>Commits <paramref name="message"/> as processed: its partition's position becomes <c>Offset + 1</c>.</summary>
    /// <param name="message">The last message processed in its partition.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task CommitAsync(ConsumedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Topic != Topic || !Partitions.Contains(message.Partition))
        {
            throw new ArgumentException($"Message {message.Topic}/{message.Partition}@{message.Offset} is not from this consumer's partitions of '{Topic}'", nameof(message));
        }
        var position = new MessageOffset(message.Partition, message.Offset + 1);
        await _retry.RunAsync(ct => _transport.CommitAsync(ConsumerId, [position], ct), cancellationToken);
        lock (_gate)
        {
            _committed[message.Partition] = position.Offset;
            _processed[message.Partition] = Math.Max(_processed[message.Partition], position.Offset);
        }
    }

    /// <summary>Commits every message yielded so far (each partition's position moves past the last one yielded).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            foreach (var (partition, offset) in _delivered)
            {
                _processed[partition] = offset;
            }
        }
        await CommitProcessedAsync(cancellationToken);
    }

    /// <summary>Messages left for this consumer on the server: committed messages after its committed positions, summed over its partitions.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<long> SizeAsync(CancellationToken cancellationToken = default) =>
        (await GetPositionsAsync(cancellationToken)).Sum(p => p.Lag);

    /// <summary>The committed position, high-water mark and lag of each partition, as the server has them.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<IReadOnlyList<PartitionLag>> GetPositionsAsync(CancellationToken cancellationToken = default) =>
        _retry.RunAsync(ct => _transport.GetPositionsAsync(ConsumerId, ct), cancellationToken);

    /// <summary>Commits what was processed (with auto-commit) and stops.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_options.AutoCommit)
        {
            await CommitProcessedAsync(CancellationToken.None);
        }
    }

    private async Task CommitProcessedAsync(CancellationToken cancellationToken)
    {
        List<MessageOffset> dirty;
        lock (_gate)
        {
            dirty = _processed.Where(p => p.Value != _committed[p.Key]).Select(p => new MessageOffset(p.Key, p.Value)).ToList();
        }
        if (dirty.Count == 0)
        {
            return;
        }
        await _retry.RunAsync(ct => _transport.CommitAsync(ConsumerId, dirty, ct), cancellationToken);
        lock (_gate)
        {
            foreach (var position in dirty)
            {
                _committed[position.Partition] = position.Offset;
            }
        }
    }

    private async Task PollAsync(int partition, long offset, ChannelWriter<ConsumedMessage> buffer, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var fetched = await _retry.RunAsync(
                ct => _transport.FetchAsync(Topic, partition, offset, _options.MaxPollMessages, _options.PollWait, ct), cancellationToken);
            foreach (var message in fetched.Messages)
            {
                await buffer.WriteAsync(message, cancellationToken);
                offset = message.Offset + 1;
            }
            if (fetched.Messages.Count == 0)
            {
                // The log may have been truncated below us; skip to where it starts now.
                offset = Math.Max(offset, fetched.LogStart);
                if (_options.PollWait == TimeSpan.Zero)
                {
                    // Without a server-side wait an empty partition would be polled in a tight loop.
                    await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
                }
            }
        }
    }
}
