using Queue.Core.Edge;
using Queue.Core.Journal;
using Queue.Core.Log;

namespace Queue.Core.Protocol;

// The catalogue (topics, producers, consumers): requests to the manager singleton, the events it
// journals and its snapshot.

public sealed record ListTopics : IRequest<TopicList>
{
    public static readonly ListTopics Instance = new();
}

public sealed record TopicList(IReadOnlyList<TopicInfo> Topics) : IQueueMessage;

public sealed record GetTopic(string Name) : IRequest<TopicLookup>;

public sealed record TopicLookup(TopicInfo? Topic) : IQueueMessage;

/// <summary>
/// Creates the topic unless one of that name exists; the reply says which happened. A null
/// retention limit takes the catalogue's queue.retention default; 0 is "no limit".
/// </summary>
public sealed record CreateTopic(string Name, int Partitions, long? RetentionMs = null, long? RetentionMessages = null) : IRequest<TopicCreated>;

public sealed record TopicCreated(TopicInfo Topic, bool Created) : IQueueMessage;

/// <summary>
/// Changes a topic's retention (PATCH /v1/topics/{topic}): a null limit stays as it is, 0 removes
/// it, a positive one replaces it. The reply holds the topic as changed, or null when there is no
/// such topic (then nothing changed).
/// </summary>
public sealed record SetTopicRetention(string Name, long? Ms, long? Messages) : IRequest<TopicLookup>;

public sealed record RegisterProducer(string Topic, int? Partition) : IRequest<ProducerRegistered>;

public sealed record ProducerRegistered(ProducerInfo Producer) : IQueueMessage;

public sealed record RegisterConsumer(string Topic, int? Partition, StartFrom From) : IRequest<ConsumerRegistered>;

public sealed record ConsumerRegistered(ConsumerInfo Consumer) : IQueueMessage;

public sealed record GetProducer(long Id) : IRequest<ProducerLookup>;

public sealed record ProducerLookup(ProducerInfo? Producer) : IQueueMessage;

public sealed record GetConsumer(long Id) : IRequest<ConsumerLookup>;

public sealed record ConsumerLookup(ConsumerInfo? Consumer) : IQueueMessage;

/// <summary>Every registered consumer, for the operator's views (console, CLI): the catalogue is the only place that knows them all.</summary>
public sealed record ListConsumers : IRequest<ConsumerList>
{
    public static readonly ListConsumers Instance = new();
}

public sealed record ConsumerList(IReadOnlyList<ConsumerInfo> Consumers) : IQueueMessage;

/// <summary>Last-seen times of producers and consumers gathered by an edge; told to the manager now and then.</summary>
public sealed record RecordHealth(IReadOnlyList<HealthFact> Facts) : IQueueMessage;

public sealed record GetHealth : IRequest<HealthReport>
{
    public static readonly GetHealth Instance = new();
}

public sealed record HealthReport(IReadOnlyList<HealthFact> Facts) : IQueueMessage;

// The catalogue's journal: one event per decision. Producer and consumer ids come from one
// counter that only grows and is recovered with the events, so an id is never handed out twice.

public sealed record TopicAdded(TopicInfo Topic) : IQueueMessage;

/// <summary>A topic's retention changed; <see cref="Retention"/> is the whole new policy, version included.</summary>
public sealed record TopicRetentionChanged(string Name, RetentionPolicy Retention) : IQueueMessage;

public sealed record ProducerAdded(ProducerInfo Producer) : IQueueMessage;

public sealed record ConsumerAdded(ConsumerInfo Consumer) : IQueueMessage;

public sealed record CatalogueSnapshot(
    IReadOnlyList<TopicInfo> Topics, IReadOnlyList<ProducerInfo> Producers, IReadOnlyList<ConsumerInfo> Consumers, long LastId) : IQueueMessage;
