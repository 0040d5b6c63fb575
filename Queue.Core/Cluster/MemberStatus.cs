namespace Queue.Core.Cluster;

/// <summary>A member's lifecycle as the manager judges it.</summary>
public enum MemberStatus
{
    /// <summary>Registered and heartbeating.</summary>
    Up,

    /// <summary>Missed heartbeats for longer than the unreachable threshold; keeps its shards for now.</summary>
    Unreachable,

    /// <summary>Silent past the down threshold; its shards are reallocated.</summary>
    Down,

    /// <summary>Left gracefully (deregistered).</summary>
    Left,
}
