namespace Queue.Core.Configuration;

/// <summary>queue.partition: how partition actors run. Defaults mirror hocon/reference.conf.</summary>
public sealed record PartitionSettings
{
    public int MailboxCapacity { get; init; } = 10_000;

    public int MaxBatch { get; init; } = 1_000;

    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public int TailCacheMessages { get; init; } = 10_000;

    public int ReadPageSize { get; init; } = 500;

    /// <summary>queue.partition.snapshot-every: journal events between snapshots (bounds recovery to a snapshot plus this many events).</summary>
    public int SnapshotEvery { get; init; } = 1_000;
}
