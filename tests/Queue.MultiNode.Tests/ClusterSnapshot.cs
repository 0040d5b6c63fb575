namespace Queue.MultiNode.Tests;

/// <summary>/cluster as one node answered it: the manager (the catalogue singleton's node; empty id when none) and the members.</summary>
public sealed record ClusterSnapshot(string ManagerId, IReadOnlyList<MemberSnapshot> Members)
{
    public MemberSnapshot? Member(string nodeId) => Members.FirstOrDefault(m => m.NodeId == nodeId);
}
