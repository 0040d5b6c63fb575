using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Queue.Client.Internal;

namespace Queue.Client.Transport;

/// <summary>
/// <see cref="IQueueTransport"/> over the /v1 HTTP API of one edge node. Thread-safe; share one
/// instance (and its <see cref="HttpClient"/>) per process.
/// </summary>
public sealed partial class HttpQueueTransport : IQueueTransport, IQueueGroupTransport
{
    private readonly HttpClient _http;
    private readonly TimeSpan _requestTimeout;

    /// <summary>Creates the transport.</summary>
    /// <param name="http">The client to send with; its <see cref="HttpClient.BaseAddress"/> must be the edge node's address. Its own Timeout should be infinite: each request gets <paramref name="requestTimeout"/> (plus its long-poll wait).</param>
    /// <param name="requestTimeout">How long one request may take, not counting a long-poll's wait.</param>
    public HttpQueueTransport(HttpClient http, TimeSpan requestTimeout)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.BaseAddress is null)
        {
            throw new ArgumentException("The HttpClient needs a BaseAddress", nameof(http));
        }
        _http = http;
        _requestTimeout = requestTimeout;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TopicDescription>> ListTopicsAsync(CancellationToken cancellationToken)
    {
        var reply = await SendAsync(HttpMethod.Get, "v1/topics", null, WireJsonContext.Default.WireTopicList, TimeSpan.Zero, cancellationToken);
        return reply.Topics.Select(ToTopic).ToList();
    }

    /// <inheritdoc />
    public async Task<TopicDescription> CreateTopicAsync(string name, int? partitions, CancellationToken cancellationToken)
    {
        var body = JsonContent.Create(new WireCreateTopic(name, partitions), WireJsonContext.Default.WireCreateTopic);
        return ToTopic(await SendAsync(HttpMethod.Post, "v1/topics", body, WireJsonContext.Default.WireTopic, TimeSpan.Zero, cancellationToken));
    }

    /// <inheritdoc />
    public async Task<TopicDescription> CreateTopicAsync(string name, int? partitions, long? retentionMs, long? retentionMessages, CancellationToken cancellationToken)
    {
        var body = JsonContent.Create(new WireCreateTopic(name, partitions, retentionMs, retentionMessages), WireJsonContext.Default.WireCreateTopic);
        return ToTopic(await SendAsync(HttpMethod.Post, "v1/topics", body, WireJsonContext.Default.WireTopic, TimeSpan.Zero, cancellationToken));
    }

    /// <inheritdoc />
    public async Task<TopicDescription> SetRetentionAsync(string name, long? retentionMs, long? retentionMessages, CancellationToken cancellationToken)
    {
        var body = JsonContent.Create(new WireSetRetention(retentionMs, retentionMessages), WireJsonContext.Default.WireSetRetention);
        return ToTopic(await SendAsync(HttpMethod.Patch, $"v1/topics/{Escape(name)}", body, WireJsonContext.Default.WireTopic, TimeSpan.Zero, cancellationToken));
    }

    /// <inheritdoc />
    public async Task<TopicDescription> DescribeTopicAsync(string name, CancellationToken cancellationToken) =>
        ToTopic(await SendAsync(HttpMethod.Get, $"v1/topics/{Escape(name)}", null, WireJsonContext.Default.WireTopic, TimeSpan.Zero, cancellationToken));

    /// <inheritdoc />
    public async Task<ProducerRegistration> RegisterProducerAsync(string topic, int? partition, CancellationToken cancellationToken)
    {
        var body = JsonContent.Create(new WireRegisterProducer(topic, partition), WireJsonContext.Default.WireRegisterProducer);
        var reply = await SendAsync(HttpMethod.Post, "v1/producers", body, WireJsonContext.Default.WireProducer, TimeSpan.Zero, cancellationToken);
        return new ProducerRegistration(reply.ProducerId, reply.Topic, reply.Partition);
    }

    /// <inheritdoc />
    public async Task<ProduceAcknowledgement> ProduceAsync(
        string topic, long? producerId, long? sequence, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        var wire = new WireProduce(producerId, sequence, messages.Select(m => new WireProduceMessage(m.Value, m.Key, m.Partition)).ToList());
        var body = JsonContent.Create(wire, WireJsonContext.Default.WireProduce);
        var reply = await SendAsync(HttpMethod.Post, $"v1/topics/{Escape(topic)}/messages", body, WireJsonContext.Default.WireProduceReply, TimeSpan.Zero, cancellationToken);
        return new ProduceAcknowledgement(reply.Offsets.Select(o => new MessageOffset(o.Partition, o.Offset)).ToList(), reply.Duplicate);
    }

    /// <inheritdoc />
    public async Task<FetchedMessages> FetchAsync(string topic, int partition, long offset, int max, TimeSpan wait, CancellationToken cancellationToken)
    {
        var path = string.Create(CultureInfo.InvariantCulture,
            $"v1/topics/{Escape(topic)}/partitions/{partition}/messages?offset={offset}&max={max}&wait_ms={(long)wait.TotalMilliseconds}");
        var reply = await SendAsync(HttpMethod.Get, path, null, WireJsonContext.Default.WireFetchReply, wait, cancellationToken);
        return new FetchedMessages(
            reply.Messages.Select(m => new ConsumedMessage(topic, m.Partition, m.Offset, m.Value, m.ProducerId, m.Timestamp)).ToList(),
            reply.LogStart, reply.HighWatermark, reply.Skipped);
    }

    /// <inheritdoc />
    public async Task<ConsumerRegistration> RegisterConsumerAsync(string topic, int? partition, ConsumerStart from, CancellationToken cancellationToken)
    {
        var body = JsonContent.Create(new WireRegisterConsumer(topic, partition, from == ConsumerStart.Earliest ? "earliest" : "latest"),
            WireJsonContext.Default.WireRegisterConsumer);
        var reply = await SendAsync(HttpMethod.Post, "v1/consumers", body, WireJsonContext.Default.WireConsumer, TimeSpan.Zero, cancellationToken);
        return new ConsumerRegistration(reply.ConsumerId, reply.Topic, reply.Partition,
            reply.From == "earliest" ? ConsumerStart.Earliest : ConsumerStart.Latest);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PartitionLag>> GetPositionsAsync(long consumerId, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(HttpMethod.Get, $"v1/consumers/{consumerId}/positions", null, WireJsonContext.Default.WirePositions, TimeSpan.Zero, cancellationToken);
        return ToLags(reply);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PartitionLag>> CommitAsync(long consumerId, IReadOnlyList<MessageOffset> positions, CancellationToken cancellationToken)
    {
        var body = JsonContent.Create(new WireCommit(positions.Select(p => new WireOffset(p.Partition, p.Offset)).ToList()), WireJsonContext.Default.WireCommit);
        var reply = await SendAsync(HttpMethod.Post, $"v1/consumers/{consumerId}/commit", body, WireJsonContext.Default.WirePositions, TimeSpan.Zero, cancellationToken);
        return ToLags(reply);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? body, JsonTypeInfo<T> replyType, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var budget = _requestTimeout + wait;
        timeout.CancelAfter(budget);
        using var request = new HttpRequestMessage(method, path) { Content = body };
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw await RefusalAsync(response, timeout.Token);
            }
            return await response.Content.ReadFromJsonAsync(replyType, timeout.Token)
                ?? throw new QueueClientException($"{method} {path}: the server answered {(int)response.StatusCode} with an empty body");
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new QueueUnavailableException($"{method} {path}: no answer from {_http.BaseAddress} within {budget.TotalMilliseconds:0} ms", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new QueueUnavailableException($"{method} {path}: cannot reach {_http.BaseAddress}: {ex.Message}", ex);
        }
        catch (JsonException ex)
        {
            throw new QueueClientException($"{method} {path}: the server's answer is not the expected JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Turns an error answer into the typed exception, keeping the server's message.</summary>
    private static async Task<QueueRequestException> RefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        string? code = null;
        var message = text;
        try
        {
            if (JsonSerializer.Deserialize(text, WireJsonContext.Default.WireErrorReply) is { } error)
            {
                code = error.Error?.Code;
                message = error.Error?.Message ?? error.Message ?? text;
            }
        }
        catch (JsonException)
        {
            // Not our error shape (a proxy's page, say): the raw text is the best message there is.
        }
        if (string.IsNullOrWhiteSpace(message))
        {
            message = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        var retryAfter = response.Headers.RetryAfter?.Delta;
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => new QueueNotFoundException(code, message),
            HttpStatusCode.Conflict => new QueueConflictException(code, message),
            _ => new QueueRequestException(response.StatusCode, code, message, retryAfter),
        };
    }

    private static TopicDescription ToTopic(WireTopic topic) => new(topic.Name, topic.Partitions,
        topic.PartitionStates?.Select(s => new PartitionDescription(s.Partition, s.LogStart, s.HighWatermark)).ToList() ?? [],
        topic.RetentionMs, topic.RetentionMessages);

    private static List<PartitionLag> ToLags(WirePositions reply) =>
        reply.Positions.Select(p => new PartitionLag(p.Partition, p.Position, p.HighWatermark, p.Lag)).ToList();

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}
