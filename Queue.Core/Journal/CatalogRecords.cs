using Queue.Core.Log;

namespace Queue.Core.Journal;

/// <summary>A topic, how many partitions it has (fixed at creation) and its retention (changeable).</summary>
public sealed record TopicInfo(string Name, int Partitions, RetentionPolicy Retention = default);

/// <summary>A registered producer; <see cref="Partition"/> null means any partition of its topic.</summary>
public sealed record ProducerInfo(long Id, string Topic, int? Partition);

/// <summary>A registered consumer; <see cref="Partition"/> null means all partitions of its topic, round-robin.</summary>
public sealed record ConsumerInfo(long Id, string Topic, int? Partition, StartFrom From);
