using System.Text;
using System.Threading.Channels;
using Queue.Client.Transport;

namespace Queue.Client.Internal;

/// <summary>
/// One topic's send queue and the loop that drains it: collects a batch (up to the size limits,
/// lingering briefly after its first message), sends it, completes its messages, and only then
/// takes the next batch. One request in flight per topic is what keeps the producer's order, and
/// what makes a retry with the same sequence number safe (the server dedupes the last batch).
/// </summary>
internal sealed class ProducerLane
{
    private readonly string _topic;
    private readonly IQueueTransport _transport;
    private readonly RetryPolicy _retry;
    private readonly QueueProducerOptions _options;
    private readonly SemaphoreSlim _inFlight;
    private readonly Channel<PendingSend> _queue;
    private ProducerRegistration? _registration;
    private long _nextSequence;

    public ProducerLane(string topic, IQueueTransport transport, RetryPolicy retry, QueueProducerOptions options, SemaphoreSlim inFlight)
    {
        _topic = topic;
        _transport = transport;
        _retry = retry;
        _options = options;
        _inFlight = inFlight;
        // Bounded with Wait: a full lane makes SendAsync wait, and blocked writers are admitted
        // in arrival order, so back-pressure never reorders a caller's messages.
        _queue = Channel.CreateBounded<PendingSend>(new BoundedChannelOptions(options.MaxBufferedMessages)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        Completion = Task.Run(RunAsync);
    }

    /// <summary>The id this lane registered under, once its first batch went out.</summary>
    public long? ProducerId => Volatile.Read(ref _registration)?.ProducerId;

    /// <summary>Completes when the lane has sent everything it was given and stopped.</summary>
    public Task Completion { get; }

    public ValueTask EnqueueAsync(PendingSend pending, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(pending, cancellationToken);

    /// <summary>Takes no more messages; the loop sends what is queued, then ends.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingSend>();
        var flushes = new List<PendingSend>();
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            flushes.Clear();
            await CollectAsync(reader, batch, flushes);
            if (batch.Count > 0)
            {
                await SendAsync(batch);
            }
            foreach (var flush in flushes)
            {
                flush.Completion.TrySetResult(default);
            }
        }
    }

    private async Task CollectAsync(ChannelReader<PendingSend> reader, List<PendingSend> batch, List<PendingSend> flushes)
    {
        var bytes = 0L;
        var lingerEnd = DateTime.UtcNow + _options.Linger;
        while (true)
        {
            while (batch.Count < _options.BatchMaxMessages && reader.TryPeek(out var next))
            {
                if (next.IsFlush)
                {
                    // A flush sends what is collected now, without lingering.
                    reader.TryRead(out _);
                    flushes.Add(next);
                    return;
                }
                var size = Encoding.UTF8.GetByteCount(next.Message!.Value);
                if (batch.Count > 0 && bytes + size > _options.BatchMaxBytes)
                {
                    return;
                }
                reader.TryRead(out _);
                batch.Add(next);
                bytes += size;
            }
            var remaining = lingerEnd - DateTime.UtcNow;
            if (batch.Count >= _options.BatchMaxMessages || remaining <= TimeSpan.Zero)
            {
                return;
            }
            using var linger = new CancellationTokenSource(remaining);
            try
            {
                if (!await reader.WaitToReadAsync(linger.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SendAsync(List<PendingSend> batch)
    {
        await _inFlight.WaitAsync();
        try
        {
            _registration ??= await _retry.RunAsync(ct => _transport.RegisterProducerAsync(_topic, null, ct), CancellationToken.None);
            // The sequence number is fixed before the first attempt: every retry of this batch
            // carries the same one, which is how the server recognises it.
            var sequence = _nextSequence++;
            var messages = batch.Select(p => p.Message!).ToList();
            var ack = await _retry.RunAsync(
                ct => _transport.ProduceAsync(_topic, _registration.ProducerId, sequence, messages, ct), CancellationToken.None);
            if (ack.Offsets.Count != batch.Count)
            {
                throw new QueueClientException($"The server acknowledged {ack.Offsets.Count} offsets for a batch of {batch.Count} messages");
            }
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.TrySetResult(ack.Offsets[i]);
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(ex);
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }
}
