using System.Collections.Concurrent;
using Queue.Client.Internal;
using Queue.Client.Transport;

namespace Queue.Client;

/// <summary>
/// Sends messages to any topic, batching them (by count, bytes and a short linger) into
/// idempotent requests: each batch carries the producer id and a sequence number, so a retry
/// after a timeout or 503 is never appended twice. Per topic, messages are sent in the order
/// <c>SendAsync</c> was called and one request is in flight at a time, which keeps that order
/// in every partition; across topics up to <see cref="QueueProducerOptions.MaxInFlightRequests"/>
/// requests run at once. Thread-safe. Dispose to flush.
/// </summary>
/// <example>
/// <code>
/// await using var producer = client.CreateProducer();
/// var sends = lines.Select(line => producer.SendAsync("logs", line)).ToList();
/// await Task.WhenAll(sends);   // or await each SendAsync for one-at-a-time semantics
/// </code>
/// </example>
public sealed class QueueProducer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ProducerLane> _lanes = new(StringComparer.Ordinal);
    private readonly IQueueTransport _transport;
    private readonly RetryPolicy _retry;
    private readonly QueueProducerOptions _options;
    private readonly SemaphoreSlim _inFlight;
    private readonly Lock _lanesGate = new();
    private bool _disposed;

    internal QueueProducer(IQueueTransport transport, RetryPolicy retry, QueueProducerOptions options)
    {
        _transport = transport;
        _retry = retry;
        _options = options;
        _inFlight = new SemaphoreSlim(options.MaxInFlightRequests, options.MaxInFlightRequests);
    }

    /// <summary>
    /// Queues a message and completes when the server has committed it, with its partition and
    /// offset. Waits first if <see cref="QueueProducerOptions.MaxBufferedMessages"/> messages are
    /// already queued for the topic.
    /// </summary>
    /// <param name="topic">An existing topic.</param>
    /// <param name="value">The message text.</param>
    /// <param name="key">Messages with one key go to one partition.</param>
    /// <param name="partition">An explicit partition (wins over <paramref name="key"/>).</param>
    /// <param name="cancellationToken">Cancels only the wait for buffer room; a queued message is sent regardless.</param>
    /// <exception cref="QueueRequestException">The server refused the message's batch (the server's message says why).</exception>
    /// <exception cref="QueueUnavailableException">The server could not be reached within the retries; the batch may or may not have been committed.</exception>
    public Task<MessageOffset> SendAsync(string topic, string value, string? key = null, int? partition = null, CancellationToken cancellationToken = default) =>
        SendAsync(topic, new OutgoingMessage(value, key, partition), cancellationToken);

    /// <summary>Queues a message; see <see cref="SendAsync(string, string, string?, int?, CancellationToken)"/>.</summary>
    /// <param name="topic">An existing topic.</param>
    /// <param name="message">The message, with optional key or partition.</param>
    /// <param name="cancellationToken">Cancels only the wait for buffer room.</param>
    public async Task<MessageOffset> SendAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(message.Value);
        var pending = new PendingSend(message);
        await EnqueueAsync(topic, pending, cancellationToken);
        return await pending.Completion.Task;
    }

    /// <summary>
    /// The producer id this producer registered for <paramref name="topic"/> (it registers once per
    /// topic, before its first batch there), or null if it has sent nothing there yet. Consumers
    /// see it as <see cref="ConsumedMessage.ProducerId"/>.
    /// </summary>
    /// <param name="topic">A topic this producer sent to.</param>
    public long? ProducerIdFor(string topic) => _lanes.TryGetValue(topic, out var lane) ? lane.ProducerId : null;

    /// <summary>Sends everything queued so far without waiting for the linger, and completes when it is acknowledged or failed.</summary>
    /// <param name="cancellationToken">Stops waiting; the messages are still sent.</param>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var markers = new List<Task>();
        foreach (var topic in _lanes.Keys)
        {
            var marker = new PendingSend(null);
            await EnqueueAsync(topic, marker, cancellationToken);
            markers.Add(marker.Completion.Task);
        }
        await Task.WhenAll(markers).WaitAsync(cancellationToken);
    }

    /// <summary>Takes no more messages, sends everything queued, and waits until it is acknowledged or failed.</summary>
    public async ValueTask DisposeAsync()
    {
        List<ProducerLane> lanes;
        lock (_lanesGate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            lanes = _lanes.Values.ToList();
        }
        foreach (var lane in lanes)
        {
            lane.Complete();
        }
        await Task.WhenAll(lanes.Select(l => l.Completion));
        _inFlight.Dispose();
    }

    private async Task EnqueueAsync(string topic, PendingSend pending, CancellationToken cancellationToken)
    {
        ProducerLane lane;
        // The gate makes "not disposed" and "lane exists" one fact, so no lane starts after
        // DisposeAsync took its list (that lane's messages would never be sent).
        lock (_lanesGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            lane = _lanes.GetOrAdd(topic, t => new ProducerLane(t, _transport, _retry, _options, _inFlight));
        }
        try
        {
            await lane.EnqueueAsync(pending, cancellationToken);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(QueueProducer));
        }
    }
}
