namespace Queue.MultiNode.Tests;

/// <summary>One member in /cluster: id, status (up, unreachable, down, left), roles and when the manager last heard from it.</summary>
public sealed record MemberSnapshot(string NodeId, string Status, IReadOnlyList<string> Roles, DateTimeOffset LastHeartbeat);
