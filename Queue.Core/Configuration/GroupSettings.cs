namespace Queue.Core.Configuration;

/// <summary>queue.groups: consumer groups. Defaults mirror hocon/queue.conf.</summary>
public sealed record GroupSettings
{
    /// <summary>Shortest session timeout a member may ask for.</summary>
    public TimeSpan MinSessionTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest session timeout a member may ask for.</summary>
    public TimeSpan MaxSessionTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Session timeout of a join that names none.</summary>
    public TimeSpan DefaultSessionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most members one group may have.</summary>
    public int MaxMembers { get; init; } = 100;

    /// <summary>Journal events between two snapshots of a group (after which older events are deleted).</summary>
    public int SnapshotEvery { get; init; } = 500;
}
