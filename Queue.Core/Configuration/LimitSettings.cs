namespace Queue.Core.Configuration;

/// <summary>queue.limits: what a request may carry. Defaults mirror hocon/queue.conf.</summary>
public sealed record LimitSettings
{
    public int MaxMessageBytes { get; init; } = 1024 * 1024;

    public int MaxTopicNameLength { get; init; } = 249;

    public int MaxPartitionsPerTopic { get; init; } = 1024;

    public int DefaultPartitions { get; init; } = 1;
}
