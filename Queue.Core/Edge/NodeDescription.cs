namespace Queue.Core.Edge;

/// <summary>Who this node is, as its health and admin endpoints report it.</summary>
public sealed record NodeDescription(string NodeId, IReadOnlyList<string> Roles, string JournalKind);
