namespace Queue.Client;

/// <summary>How a <see cref="QueueProducer"/> batches and how much it holds back.</summary>
public sealed class QueueProducerOptions
{
    /// <summary>Most messages in one request. Default 500.</summary>
    public int BatchMaxMessages { get; set; } = 500;

    /// <summary>Most message bytes (UTF-8) in one request; a single larger message still goes alone. Default 1 MiB.</summary>
    public int BatchMaxBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long a batch waits for more messages after its first one, trading a little latency for
    /// fewer, larger requests (Kafka's linger.ms). Zero sends what is queued at once. Default 5 ms.
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Messages accepted but not yet acknowledged; <see cref="QueueProducer.SendAsync(string, string, string?, int?, CancellationToken)"/> waits while this many are outstanding. Default 10 000.</summary>
    public int MaxBufferedMessages { get; set; } = 10_000;

    /// <summary>Requests in flight at once across all topics (each topic has at most one, to keep its order). Default 4.</summary>
    public int MaxInFlightRequests { get; set; } = 4;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (BatchMaxMessages < 1 || BatchMaxBytes < 1 || MaxBufferedMessages < 1 || MaxInFlightRequests < 1)
        {
            throw new ArgumentException("BatchMaxMessages, BatchMaxBytes, MaxBufferedMessages and MaxInFlightRequests must be at least 1");
        }
        if (Linger < TimeSpan.Zero)
        {
            throw new ArgumentException("Linger must not be negative", nameof(Linger));
        }
    }
}
