using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Queue.Core.Configuration;
using Queue.Core.Diagnostics;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;

namespace Queue.Core.Edge;

/// <summary>
/// The edge's request logic, shared by every API surface: validates input, checks the catalogue,
/// picks the partition and asks its actor through <paramref name="backend"/> (cluster sharding:
/// the partition's actor may live on any broker, and moves are sharding's business). It holds no partition state itself, only caches of
/// facts that never change once written (a topic's partition count, a producer's topic) and the
/// round-robin cursors, which are a courtesy, not a guarantee.
/// </summary>
/// <remarks>The batch, long-poll and commit requests of the /v1 API are in QueueFrontend.V1.cs.</remarks>
/// <param name="health">Where the last-seen times of producers and consumers are noted, if anywhere.</param>
public sealed partial class QueueFrontend(
    IQueueBackend backend, LimitSettings limits, TimeSpan requestTimeout, HealthTracker? health = null)
{
    private readonly ConcurrentDictionary<string, TopicInfo> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, ProducerInfo> _producers = new();
    private readonly ConcurrentDictionary<long, ConsumerInfo> _consumers = new();
    private readonly ConcurrentDictionary<long, StrongBox<int>> _produceCursors = new();
    private readonly ConcurrentDictionary<long, StrongBox<int>> _consumeCursors = new();

    public LimitSettings Limits => limits;

    /// <summary>Last-seen times of the producers and consumers this edge served.</summary>
    public HealthTracker? Health => health;

    public async Task<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken)
    {
        var topics = await Catalog(ListTopics.Instance, cancellationToken);
        return topics.Topics.Select(t => t.Name).ToList();
    }

    /// <param name="retentionMs">Let go of messages older than this (milliseconds, at least 1); null = the queue.retention default.</param>
    /// <param name="retentionMessages">Keep at most this many newest messages per partition (at least 1); null = the queue.retention default.</param>
    public async Task<TopicInfo> CreateTopicAsync(string? name, int? partitions, CancellationToken cancellationToken,
        long? retentionMs = null, long? retentionMessages = null)
    {
        ValidateTopicName(name);
        var count = ValidatePartitionCount(partitions);
        ValidateRetention("retention_ms", retentionMs);
        ValidateRetention("retention_messages", retentionMessages);
        var (topic, created) = await Catalog(new CreateTopic(name!, count, retentionMs, retentionMessages), cancellationToken);
        if (!created)
        {
            throw new QueueException(QueueErrorKind.Conflict, $"Topic '{name}' already exists");
        }
        _topics[topic.Name] = topic;
        return topic;
    }

    public async Task<TopicInfo> GetTopicAsync(string? name, CancellationToken cancellationToken)
    {
        ValidateTopicName(name);
        return await FindTopicAsync(name!, cancellationToken)
            ?? throw new QueueException(QueueErrorKind.NotFound, $"Topic '{name}' does not exist");
    }

    /// <summary>Registers a producer, creating its topic (with the default partition count) if missing.</summary>
    public async Task<ProducerInfo> RegisterProducerAsync(string? topicName, int? partition, CancellationToken cancellationToken)
    {
        ValidateTopicName(topicName);
        var topic = await FindTopicAsync(topicName!, cancellationToken);
        if (topic is null)
        {
            // Check the partition against the topic this call would create before creating it:
            // a refused registration must leave no new topic behind.
            ValidatePartition(new TopicInfo(topicName!, limits.DefaultPartitions), partition);
            // Losing a creation race to another producer is fine: the topic exists either way.
            (topic, _) = await Catalog(new CreateTopic(topicName!, limits.DefaultPartitions), cancellationToken);
            _topics[topic.Name] = topic;
        }
        ValidatePartition(topic, partition);
        var producer = (await Catalog(new RegisterProducer(topic.Name, partition), cancellationToken)).Producer;
        _producers[producer.Id] = producer;
        return producer;
    }

    /// <summary>
    /// Registers a consumer on an existing topic and fixes its start position in each of its
    /// partitions before answering, so "latest" means the end of the log at registration.
    /// </summary>
    public async Task<ConsumerInfo> RegisterConsumerAsync(string? topicName, int? partition, StartFrom from, CancellationToken cancellationToken)
    {
        var topic = await GetTopicAsync(topicName, cancellationToken);
        ValidatePartition(topic, partition);
        var consumer = (await Catalog(new RegisterConsumer(topic.Name, partition, from), cancellationToken)).Consumer;
        _consumers[consumer.Id] = consumer;
        var deadline = Deadline.Start(requestTimeout);
        await Task.WhenAll(PartitionsOf(topic, partition).Select(p =>
            AskAsync(new PartitionId(topic.Name, p), new PinConsumer(consumer.Id, from), deadline, cancellationToken)));
        return consumer;
    }

    public async Task<ProduceResult> ProduceAsync(string? topicName, long producerId, string? message, int? partition, string? key, CancellationToken cancellationToken)
    {
        var startedAt = QueueMetrics.Now();
        ValidateTopicName(topicName);
        ValidateMessage(message);
        var producer = await FindProducerAsync(producerId, cancellationToken);
        health?.Seen("producer", producerId);
        if (producer.Topic != topicName)
        {
            throw new QueueException(QueueErrorKind.BadRequest, $"Producer {producerId} is not registered for topic '{topicName}'");
        }
        // The name was validated above and matches the producer's topic, which exists.
        var topic = await FindTopicAsync(topicName!, cancellationToken)
            ?? throw new QueueException(QueueErrorKind.NotFound, $"Topic '{topicName}' does not exist");
        var target = ChoosePartition(topic, producer, partition, key);
        var id = new PartitionId(topic.Name, target);
        var appended = await AskAsync(id, new AppendMessages([new ProduceItem(message!, producerId)]), Deadline.Start(requestTimeout), cancellationToken);
        QueueMetrics.MessagesProduced(topic.Name, 1, startedAt);
        return new ProduceResult(target, appended.FirstOffset);
    }

    /// <summary>
    /// Takes the consumer's next message. Without a partition it tries the topic's partitions
    /// round-robin from where it last succeeded, skipping empty ones.
    /// </summary>
    public async Task<ConsumeResult> ConsumeAsync(string? topicName, long consumerId, int? partition, CancellationToken cancellationToken)
    {
        var startedAt = QueueMetrics.Now();
        var (topic, consumer) = await ConsumerOnTopicAsync(topicName, consumerId, cancellationToken);
        var fixedPartition = ValidateConsumerPartition(topic, consumer, partition);
        var deadline = Deadline.Start(requestTimeout);
        if (fixedPartition is { } only)
        {
            var next = await ConsumeOneAsync(new PartitionId(topic.Name, only), consumer, deadline, cancellationToken);
            QueueMetrics.MessagesConsumed(topic.Name, next.Message is null ? 0 : 1, startedAt);
            return next.Message is { } m ? new ConsumeResult(only, m) : throw NothingToConsume(topic.Name);
        }

        var cursor = _consumeCursors.GetOrAdd(consumer.Id, _ => new StrongBox<int>());
        var start = Volatile.Read(ref cursor.Value);
        for (var i = 0; i < topic.Partitions; i++)
        {
            var p = (start + i) % topic.Partitions;
            var next = await ConsumeOneAsync(new PartitionId(topic.Name, p), consumer, deadline, cancellationToken);
            if (next.Message is { } message)
            {
                Volatile.Write(ref cursor.Value, (p + 1) % topic.Partitions);
                QueueMetrics.MessagesConsumed(topic.Name, 1, startedAt);
                return new ConsumeResult(p, message);
            }
        }
        QueueMetrics.MessagesConsumed(topic.Name, 0, startedAt);
        throw NothingToConsume(topic.Name);
    }

    /// <summary>Messages left for the consumer: in one partition, or summed over its partitions.</summary>
    public async Task<long> SizeAsync(string? topicName, long consumerId, int? partition, CancellationToken cancellationToken)
    {
        var (topic, consumer) = await ConsumerOnTopicAsync(topicName, consumerId, cancellationToken);
        var fixedPartition = ValidateConsumerPartition(topic, consumer, partition);
        var deadline = Deadline.Start(requestTimeout);
        var backlogs = await Task.WhenAll(PartitionsOf(topic, fixedPartition).Select(p =>
            AskAsync(new PartitionId(topic.Name, p), new GetBacklog(consumer.Id, consumer.From), deadline, cancellationToken)));
        return backlogs.Sum(b => b.Size);
    }

    /// <summary>Messages left for the consumer in each partition it reads (or the one asked for), in partition order.</summary>
    public async Task<IReadOnlyList<(int Partition, long Size)>> PartitionSizesAsync(
        string? topicName, long consumerId, int? partition, CancellationToken cancellationToken)
    {
        var (topic, consumer) = await ConsumerOnTopicAsync(topicName, consumerId, cancellationToken);
        var partitions = PartitionsOf(topic, ValidateConsumerPartition(topic, consumer, partition)).ToList();
        var deadline = Deadline.Start(requestTimeout);
        var backlogs = await Task.WhenAll(partitions.Select(p =>
            AskAsync(new PartitionId(topic.Name, p), new GetBacklog(consumer.Id, consumer.From), deadline, cancellationToken)));
        return partitions.Select((p, i) => (p, backlogs[i].Size)).ToList();
    }

    private async Task<(TopicInfo Topic, ConsumerInfo Consumer)> ConsumerOnTopicAsync(string? topicName, long consumerId, CancellationToken cancellationToken)
    {
        var topic = await GetTopicAsync(topicName, cancellationToken);
        var consumer = _consumers.TryGetValue(consumerId, out var cached)
            ? cached
            : (await Catalog(new GetConsumer(consumerId), cancellationToken)).Consumer
              ?? throw new QueueException(QueueErrorKind.NotFound, $"Consumer {consumerId} is not registered");
        _consumers[consumer.Id] = consumer;
        health?.Seen("consumer", consumerId);
        if (consumer.Topic != topic.Name)
        {
            throw new QueueException(QueueErrorKind.BadRequest, $"Consumer {consumerId} is not registered for topic '{topic.Name}'");
        }
        return (topic, consumer);
    }

    private async Task<ProducerInfo> FindProducerAsync(long producerId, CancellationToken cancellationToken)
    {
        if (_producers.TryGetValue(producerId, out var cached))
        {
            return cached;
        }
        var producer = (await Catalog(new GetProducer(producerId), cancellationToken)).Producer
            ?? throw new QueueException(QueueErrorKind.NotFound, $"Producer {producerId} is not registered");
        _producers[producer.Id] = producer;
        return producer;
    }

    private async Task<TopicInfo?> FindTopicAsync(string name, CancellationToken cancellationToken)
    {
        if (_topics.TryGetValue(name, out var cached))
        {
            return cached;
        }
        var topic = (await Catalog(new GetTopic(name), cancellationToken)).Topic;
        if (topic is not null)
        {
            _topics[name] = topic;
        }
        return topic;
    }

    private int ChoosePartition(TopicInfo topic, ProducerInfo producer, int? requested, string? key)
    {
        if (requested is { } p)
        {
            ValidatePartition(topic, p);
            if (producer.Partition is { } bound && bound != p)
            {
                throw new QueueException(QueueErrorKind.BadRequest, $"Producer {producer.Id} is registered for partition {bound} of topic '{topic.Name}', not {p}");
            }
            return p;
        }
        if (producer.Partition is { } registered)
        {
            return registered;
        }
        if (key is not null)
        {
            return KeyPartitioner.PartitionFor(key, topic.Partitions);
        }
        var cursor = _produceCursors.GetOrAdd(producer.Id, _ => new StrongBox<int>(-1));
        var next = Interlocked.Increment(ref cursor.Value);
        return (int)((uint)next % (uint)topic.Partitions);
    }

    private int? ValidateConsumerPartition(TopicInfo topic, ConsumerInfo consumer, int? requested)
    {
        if (requested is not { } p)
        {
            return consumer.Partition;
        }
        ValidatePartition(topic, p);
        if (consumer.Partition is { } bound && bound != p)
        {
            throw new QueueException(QueueErrorKind.BadRequest, $"Consumer {consumer.Id} is registered for partition {bound} of topic '{topic.Name}', not {p}");
        }
        return p;
    }

    private static IEnumerable<int> PartitionsOf(TopicInfo topic, int? only) =>
        only is { } p ? [p] : Enumerable.Range(0, topic.Partitions);

    private static void ValidatePartition(TopicInfo topic, int? partition)
    {
        if (partition is { } p && (p < 0 || p >= topic.Partitions))
        {
            throw new QueueException(QueueErrorKind.BadRequest,
                $"Invalid partition {p} for topic '{topic.Name}': it has partitions 0 to {topic.Partitions - 1}");
        }
    }

    private int ValidatePartitionCount(int? partitions)
    {
        var count = partitions ?? limits.DefaultPartitions;
        if (count < 1 || count > limits.MaxPartitionsPerTopic)
        {
            throw new QueueException(QueueErrorKind.BadRequest,
                $"Invalid number of partitions {count}: it must be between 1 and {limits.MaxPartitionsPerTopic}");
        }
        return count;
    }

    /// <summary>A retention limit given by a client is a positive whole number; "no limit" is said by leaving it out (or null on PATCH).</summary>
    public static void ValidateRetention(string field, long? value)
    {
        if (value is <= 0)
        {
            throw new QueueException(QueueErrorKind.BadRequest,
                $"Field '{field}' must be a positive whole number, got {value}; leave it out (or null on PATCH) for no limit");
        }
    }

    private void ValidateTopicName(string? name)
    {
        if (TopicNames.Validate(name, limits.MaxTopicNameLength) is { } problem)
        {
            var kind = name is not null && name.Length > limits.MaxTopicNameLength ? QueueErrorKind.TooLarge : QueueErrorKind.BadRequest;
            throw new QueueException(kind, char.ToUpperInvariant(problem[0]) + problem[1..]);
        }
    }

    private void ValidateMessage(string? message)
    {
        if (message is null)
        {
            throw new QueueException(QueueErrorKind.BadRequest, "Message is missing");
        }
        if (FindUnstorableChar(message) is { } at)
        {
            // JSON escapes can carry these; PostgreSQL text cannot hold them, and the in-memory
            // journal refuses them too so both journals accept exactly the same messages.
            throw new QueueException(QueueErrorKind.BadRequest,
                $"Message contains a NUL character or an unpaired UTF-16 surrogate at position {at}; send valid Unicode text");
        }
        // Counting bytes only when the character count says it could be over the limit keeps
        // the common case free of a UTF-8 pass (a char is at most 3 UTF-8 bytes).
        if (message.Length * 3L > limits.MaxMessageBytes && Encoding.UTF8.GetByteCount(message) > limits.MaxMessageBytes)
        {
            throw new QueueException(QueueErrorKind.TooLarge,
                $"Message is {Encoding.UTF8.GetByteCount(message)} bytes; the limit is {limits.MaxMessageBytes}");
        }
    }

    private static int? FindUnstorableChar(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0' || char.IsLowSurrogate(c))
            {
                return i;
            }
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return i;
                }
                i++;
            }
        }
        return null;
    }

    private static QueueException NothingToConsume(string topic) =>
        new(QueueErrorKind.Empty, $"No more messages in topic '{topic}' for this consumer");

    private Task<TReply> AskAsync<TReply>(PartitionId partition, IPartitionRequest<TReply> message, Deadline deadline, CancellationToken cancellationToken) =>
        backend.AskPartitionAsync(partition, message, deadline.Remaining(), cancellationToken);

    /// <summary>
    /// One consume, named by a fresh request id. If no answer comes in time the partition may
    /// still have delivered a message and moved the position; the caller is about to be told
    /// 503, so the delivery is handed back (a tell, delivered after the consume itself because
    /// one sender's messages to one actor keep their order) and the next consume gets that
    /// message again instead of never seeing it.
    /// </summary>
    private async Task<NextConsumed> ConsumeOneAsync(PartitionId partition, ConsumerInfo consumer, Deadline deadline, CancellationToken cancellationToken)
    {
        var requestId = Guid.NewGuid();
        try
        {
            return await AskAsync(partition, new ConsumeNext(consumer.Id, consumer.From, requestId), deadline, cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException || ex is QueueException { Kind: QueueErrorKind.Unavailable })
        {
            backend.TellPartition(partition, new ReturnDelivery(consumer.Id, requestId));
            throw;
        }
    }

    private Task<TReply> Catalog<TReply>(IRequest<TReply> request, CancellationToken cancellationToken) =>
        backend.AskCatalogueAsync(request, requestTimeout, cancellationToken);
}
