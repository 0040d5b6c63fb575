namespace Queue.MultiNode.Tests;

/// <summary>One member in /cluster: id, status (up, unreachable, down, left) and roles.</summary>
public sealed record MemberSnapshot(string NodeId, string Status, IReadOnlyList<string> Roles);
