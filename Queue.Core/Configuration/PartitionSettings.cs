namespace Queue.Core.Configuration;

/// <summary>queue.partition: how partition actors run. Defaults mirror hocon/queue.conf.</summary>
public sealed record PartitionSettings
{
    /// <summary>Requests queued in one partition before new ones are refused as overloaded.</summary>
    public int MailboxCapacity { get; init; } = 10_000;

    /// <summary>Most queued requests persisted as one journal event.</summary>
    public int MaxBatch { get; init; } = 1_000;

    /// <summary>Idle time after which a partition is passivated.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public int TailCacheMessages { get; init; } = 10_000;

    public int ReadPageSize { get; init; } = 500;

    /// <summary>Journal events between two snapshots of a partition.</summary>
    public int SnapshotEvery { get; init; } = 1_000;

    /// <summary>queue.partition.snapshot-every-messages: messages appended between snapshots (whichever limit comes first).</summary>
    public int SnapshotEveryMessages { get; init; } = 10_000;
}
