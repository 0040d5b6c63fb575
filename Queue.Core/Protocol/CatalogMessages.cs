using Queue.Core.Actors;
using Queue.Core.Journal;
using Queue.Core.Log;

namespace Queue.Core.Protocol;

// The catalogue (topics, producers, consumers) as requests, so an edge-only node, which has no
// database, can use a broker's catalogue over the node transport.

public sealed record ListTopics : IAsk<TopicList>;

public sealed record TopicList(IReadOnlyList<TopicInfo> Topics);

public sealed record GetTopic(string Name) : IAsk<TopicLookup>;

public sealed record TopicLookup(TopicInfo? Topic);

public sealed record CreateTopic(string Name, int Partitions) : IAsk<TopicCreated>;

public sealed record TopicCreated(TopicInfo Topic, bool Created);

public sealed record RegisterProducer(string Topic, int? Partition) : IAsk<ProducerInfo>;

public sealed record RegisterConsumer(string Topic, int? Partition, StartFrom From) : IAsk<ConsumerInfo>;

public sealed record GetProducer(long Id) : IAsk<ProducerLookup>;

public sealed record ProducerLookup(ProducerInfo? Producer);

public sealed record GetConsumer(long Id) : IAsk<ConsumerLookup>;

public sealed record ConsumerLookup(ConsumerInfo? Consumer);
