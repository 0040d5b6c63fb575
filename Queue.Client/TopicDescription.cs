namespace Queue.Client;

/// <summary>A topic, its partition count and, when asked for in detail, each partition's log bounds.</summary>
/// <param name="Name">The topic name.</param>
/// <param name="PartitionCount">How many partitions the topic has (fixed at creation).</param>
/// <param name="Partitions">Per-partition log bounds; empty when the topic was listed rather than described.</param>
/// <param name="RetentionMs">Messages older than this many milliseconds are let go of; null = no time limit (docs/retention.md).</param>
/// <param name="RetentionMessages">At least this many newest messages per partition are kept; null = no count limit.</param>
public sealed record TopicDescription(
    string Name, int PartitionCount, IReadOnlyList<PartitionDescription> Partitions, long? RetentionMs = null, long? RetentionMessages = null);
