namespace Queue.Client;

/// <summary>A topic, its partition count and, when asked for in detail, each partition's log bounds.</summary>
/// <param name="Name">The topic name.</param>
/// <param name="PartitionCount">How many partitions the topic has (fixed at creation).</param>
/// <param name="Partitions">Per-partition log bounds; empty when the topic was listed rather than described.</param>
public sealed record TopicDescription(string Name, int PartitionCount, IReadOnlyList<PartitionDescription> Partitions);
