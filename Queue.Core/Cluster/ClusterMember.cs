namespace Queue.Core.Cluster;

/// <summary>One node as the manager knows it. <see cref="Address"/> is its node transport host:port.</summary>
public sealed record ClusterMember(string NodeId, string Address, IReadOnlyList<string> Roles, string HttpAddress, MemberStatus Status, DateTimeOffset LastHeartbeat)
{
    public bool IsBroker => Roles.Contains("broker", StringComparer.OrdinalIgnoreCase);

    /// <summary>Can own shards now.</summary>
    public bool CanHostShards => IsBroker && Status == MemberStatus.Up;
}
