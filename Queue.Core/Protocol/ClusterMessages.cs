using Queue.Core.Actors;
using Queue.Core.Cluster;

namespace Queue.Core.Protocol;

// The cluster protocol between nodes and the manager, and between edges and brokers. Every
// request is an IAsk with its reply type next to it.

/// <summary>Where a member can be reached.</summary>
public sealed record MemberAddress(string NodeId, string Address, string HttpAddress, IReadOnlyList<string> Roles);

/// <summary>A node asks the manager to count it in.</summary>
public sealed record RegisterMember(MemberAddress Member) : IAsk<MemberRegistered>;

public sealed record MemberRegistered(long ManagerEpoch, RoutingTable Table);

/// <summary>"I am alive" plus the routing-table version the sender has, so the reply can carry a newer one.</summary>
public sealed record Heartbeat(string NodeId, long TableVersion) : IAsk<HeartbeatAck>;

/// <summary><see cref="Registered"/> false means the manager does not know the sender (or declared it down): register again.</summary>
public sealed record HeartbeatAck(long ManagerEpoch, bool Registered, RoutingTable? Table);

/// <summary>Graceful leave: hand off, then deregister.</summary>
public sealed record LeaveCluster(string NodeId) : IAsk<LeftCluster>;

public sealed record LeftCluster(bool Accepted);

/// <summary>Any node answers with what it knows about the manager; used by edges to find it via seed nodes.</summary>
public sealed record WhoIsManager : IAsk<ManagerInfo>;

/// <summary><see cref="NodeId"/> empty when the answering node knows of no manager.</summary>
public sealed record ManagerInfo(string NodeId, string Address, long Epoch);

/// <summary>Asks for the current routing table (after a "not the owner" answer, say).</summary>
public sealed record GetRoutingTable(long KnownVersion) : IAsk<RoutingTable>;

/// <summary>Pushed by the manager when allocations change; members keep the newest version.</summary>
public sealed record RoutingTableUpdated(RoutingTable Table);

/// <summary>Manager → owner: stop serving the shard (finish in-flight work, answer "moved" to new requests).</summary>
public sealed record HandOffShard(int Shard, long Epoch) : IAsk<ShardHandedOff>;

public sealed record ShardHandedOff(int Shard, long Epoch);

/// <summary>
/// Which broker owns each shard, under which epoch, and where brokers live. Immutable and
/// versioned: a node replaces its copy only with a higher version.
/// </summary>
public sealed record RoutingTable(long Version, int ShardCount, IReadOnlyList<ShardAllocation> Allocations, IReadOnlyList<MemberAddress> Members)
{
    public static RoutingTable Empty { get; } = new(0, 1, [], []);
}

/// <summary>Asks the manager for its whole view, for the admin endpoints.</summary>
public sealed record GetClusterState : IAsk<ClusterState>;

public sealed record ClusterState(ManagerInfo Manager, IReadOnlyList<ClusterMember> Members, RoutingTable Table);

/// <summary>Edge → broker, now and then: the health facts it gathered, for the broker to persist in one write.</summary>
public sealed record RecordHealth(IReadOnlyList<HealthFact> Facts);
