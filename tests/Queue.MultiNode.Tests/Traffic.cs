using System.Collections.Concurrent;
using System.Net;
using Queue.Testing;

namespace Queue.MultiNode.Tests;

/// <summary>
/// Producers and one consumer hammering a topic through the seed API while a spec breaks the
/// cluster. Every produce attempt carries a message text of its own ("p{producer}-{n}"), so an
/// attempt whose outcome is unknown (503, connection lost) can appear in the log at most once and
/// never shadows an acknowledged one. Producers keep going through failures: the cluster must
/// come back, and <see cref="AcksSince"/> shows that it did. Client errors (4xx) are recorded: in
/// these runs any of them is a bug.
/// </summary>
public sealed class Traffic : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];
    private readonly ConcurrentDictionary<int, int> _acksPerProducer = new();
    private int _retryable;
    private int _unansweredConsumes;

    public ConcurrentQueue<Delivery> Acked { get; } = new();

    /// <summary>What the consumer received, in order.</summary>
    public ConcurrentQueue<Delivery> Consumed { get; } = new();

    public ConcurrentQueue<string> Unexpected { get; } = new();

    /// <summary>Answers that said "retry later" (503) or lost connections, produce and consume.</summary>
    public int Retryable => Volatile.Read(ref _retryable);

    /// <summary>
    /// Consume calls that got no answer or a 503: each may have moved the consumer's position on
    /// a broker that died before its answer arrived, so each may account for one skipped offset.
    /// </summary>
    public int UnansweredConsumes => Volatile.Read(ref _unansweredConsumes);

    /// <summary>Starts one loop per registered producer (each on its own node's HTTP port) and, if given, one consumer.</summary>
    public static Traffic Start(string topic, IReadOnlyList<(HttpClient Http, long ProducerId)> producers, (HttpClient Http, long ConsumerId)? consumer)
    {
        var traffic = new Traffic();
        for (var i = 0; i < producers.Count; i++)
        {
            var index = i;
            traffic._workers.Add(Task.Run(() => traffic.ProduceAsync(topic, index, producers[index].Http, producers[index].ProducerId)));
        }
        traffic.Consumer = consumer;
        if (consumer is { } c)
        {
            traffic._workers.Add(Task.Run(() => traffic.ConsumeAsync(topic, c.Http, c.ConsumerId)));
        }
        return traffic;
    }

    /// <summary>
    /// Registers <paramref name="producers"/> producers, spread round-robin over <paramref name="producerNodes"/>,
    /// and a consumer reading from the earliest offset on <paramref name="consumerNode"/>, then starts them.
    /// </summary>
    public static async Task<Traffic> StartAsync(string topic, IReadOnlyList<HttpClient> producerNodes, int producers, HttpClient consumerNode)
    {
        var registered = new List<(HttpClient, long)>();
        for (var i = 0; i < producers; i++)
        {
            var http = producerNodes[i % producerNodes.Count];
            registered.Add((http, await SeedApi.RetryAsync(() => http.RegisterProducerAsync(topic), TimeSpan.FromSeconds(30))));
        }
        var consumer = await SeedApi.RetryAsync(() => consumerNode.RegisterConsumerAsync(topic, "earliest"), TimeSpan.FromSeconds(30));
        return Start(topic, registered, (consumerNode, consumer));
    }

    /// <summary>
    /// After <see cref="StopAsync"/>: the consumer reads on until the topic is drained (503s are
    /// retried; the cluster has settled), so <see cref="Consumed"/> covers the whole log.
    /// </summary>
    public async Task DrainConsumerAsync(string topic, HttpClient http, long consumerId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var (status, body) = await http.ConsumeAsync(topic, consumerId);
            if (status == HttpStatusCode.OK)
            {
                Consumed.Enqueue(new Delivery(body.GetProperty("partition").GetInt32(), body.GetProperty("offset").GetInt64(), body.GetProperty("message").GetString()!));
            }
            else if (status == HttpStatusCode.BadRequest && body.GetProperty("message").GetString()!.StartsWith("No more messages", StringComparison.Ordinal))
            {
                return;
            }
            else if (status != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"draining: consume answered {(int)status}: {body}");
            }
        }
    }

    /// <summary>The consumer the traffic reads with, (node, id).</summary>
    public (HttpClient Http, long ConsumerId)? Consumer { get; private set; }

    /// <summary>Acknowledgements per producer so far, to compare with a later count.</summary>
    public IReadOnlyDictionary<int, int> AckCounts() => _acksPerProducer.ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>The fewest acknowledgements any producer got since <paramref name="before"/> was taken.</summary>
    public int AcksSince(IReadOnlyDictionary<int, int> before) =>
        _acksPerProducer.Select(kv => kv.Value - before.GetValueOrDefault(kv.Key)).DefaultIfEmpty(0).Min();

    /// <summary>Stops all loops, then lets the traffic's consumer read what is left of <paramref name="topic"/>.</summary>
    public async Task StopAndDrainAsync(string topic)
    {
        await StopAsync();
        await DrainConsumerAsync(topic, Consumer!.Value.Http, Consumer.Value.ConsumerId, TimeSpan.FromSeconds(60));
    }

    /// <summary>Stops all loops and waits for their last answers.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task ProduceAsync(string topic, int index, HttpClient http, long producerId)
    {
        _acksPerProducer[index] = 0;
        for (var n = 0; !_stop.IsCancellationRequested; n++)
        {
            var message = $"p{index}-{n}";
            try
            {
                var (status, body) = await http.ProduceAsync(topic, producerId, message);
                if (status == HttpStatusCode.OK)
                {
                    Acked.Enqueue(new Delivery(body.GetProperty("partition").GetInt32(), body.GetProperty("offset").GetInt64(), message));
                    _acksPerProducer.AddOrUpdate(index, 1, (_, v) => v + 1);
                }
                else if (status == HttpStatusCode.ServiceUnavailable)
                {
                    await BackOffAsync();
                }
                else
                {
                    Unexpected.Enqueue($"produce {message}: {(int)status} {body}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !_stop.IsCancellationRequested)
            {
                await BackOffAsync();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return;
            }
        }
    }

    private async Task ConsumeAsync(string topic, HttpClient http, long consumerId)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var (status, body) = await http.ConsumeAsync(topic, consumerId);
                if (status == HttpStatusCode.OK)
                {
                    Consumed.Enqueue(new Delivery(body.GetProperty("partition").GetInt32(), body.GetProperty("offset").GetInt64(), body.GetProperty("message").GetString()!));
                }
                else if (status == HttpStatusCode.ServiceUnavailable)
                {
                    Interlocked.Increment(ref _unansweredConsumes);
                    await BackOffAsync();
                }
                else if (status == HttpStatusCode.BadRequest && body.GetProperty("message").GetString()!.StartsWith("No more messages", StringComparison.Ordinal))
                {
                    await Task.Delay(5);
                }
                else
                {
                    Unexpected.Enqueue($"consume: {(int)status} {body}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !_stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _unansweredConsumes);
                await BackOffAsync();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return;
            }
        }
    }

    private async Task BackOffAsync()
    {
        Interlocked.Increment(ref _retryable);
        try
        {
            await Task.Delay(50, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
