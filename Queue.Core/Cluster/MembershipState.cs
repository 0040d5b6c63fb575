using System.Collections.Immutable;

namespace Queue.Core.Cluster;

/// <summary>
/// Immutable view of the cluster's members, as the manager holds it. Every change returns a new
/// state; the manager persists what matters and publishes the rest.
/// </summary>
public sealed record MembershipState
{
    public static MembershipState Empty { get; } = new();

    public ImmutableDictionary<string, ClusterMember> Members { get; init; } = ImmutableDictionary<string, ClusterMember>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>A node (re)registers: it is Up from now, whatever it was before.</summary>
    public MembershipState Registered(string nodeId, string address, IReadOnlyList<string> roles, string httpAddress, DateTimeOffset now) =>
        this with { Members = Members.SetItem(nodeId, new ClusterMember(nodeId, address, roles, httpAddress, MemberStatus.Up, now)) };

    /// <summary>Records a heartbeat. Unknown, down or departed nodes must register again (false).</summary>
    public (MembershipState State, bool Known) Heartbeat(string nodeId, DateTimeOffset now)
    {
        if (!Members.TryGetValue(nodeId, out var member) || member.Status is MemberStatus.Down or MemberStatus.Left)
        {
            return (this, false);
        }
        return (this with { Members = Members.SetItem(nodeId, member with { LastHeartbeat = now, Status = MemberStatus.Up }) }, true);
    }

    public MembershipState Left(string nodeId) =>
        Members.TryGetValue(nodeId, out var member)
            ? this with { Members = Members.SetItem(nodeId, member with { Status = MemberStatus.Left }) }
            : this;

    /// <summary>
    /// Gives every live (up or unreachable) member a fresh heartbeat window from <paramref name="now"/>:
    /// for when the judge, not the members, was silent (a new manager, or one that was paused), so
    /// the silence it would measure says nothing about them. Down and departed members stay so.
    /// </summary>
    public MembershipState Refreshed(DateTimeOffset now) => this with
    {
        Members = Members.SetItems(Members.Values
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.Unreachable)
            .Select(m => KeyValuePair.Create(m.NodeId, m with { LastHeartbeat = now, Status = MemberStatus.Up }))),
    };

    /// <summary>Applies the failure detector; returns the members whose status changed.</summary>
    public (MembershipState State, IReadOnlyList<ClusterMember> Changed) Reassess(DateTimeOffset now, HealthPolicy policy)
    {
        var changed = new List<ClusterMember>();
        var members = Members;
        foreach (var member in Members.Values)
        {
            var status = policy.Judge(member, now);
            if (status != member.Status)
            {
                var updated = member with { Status = status };
                members = members.SetItem(member.NodeId, updated);
                changed.Add(updated);
            }
        }
        return (this with { Members = members }, changed);
    }

    /// <summary>Brokers that can take shards now, by node id.</summary>
    public IEnumerable<string> ShardHosts => Members.Values.Where(m => m.CanHostShards).Select(m => m.NodeId);
}
