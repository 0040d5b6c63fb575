namespace Queue.Core.Configuration;

/// <summary>queue.retention: topic retention (docs/retention.md). Defaults mirror hocon/queue.conf.</summary>
public sealed record RetentionSettings
{
    /// <summary>retention_ms of a topic created without one; 0 = no time limit.</summary>
    public long Ms { get; init; }

    /// <summary>retention_messages (per partition) of a topic created without one; 0 = no count limit.</summary>
    public long Messages { get; init; }

    /// <summary>How often a partition checks whether its log start can move and deletes what it let go of.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most journal events one delete step removes (at least one index chunk is always allowed).</summary>
    public int DeleteBatchEvents { get; init; } = 1_000;

    /// <summary>How often a running partition asks the catalogue for its topic's policy, catching a change it was not told of.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(1);
}
