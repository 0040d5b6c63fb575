namespace Queue.Core.Edge;

/// <summary>The seeds' health record: when a producer, consumer, broker or edge was last heard from.</summary>
public sealed record HealthFact(string Kind, string Id, DateTimeOffset LastSeen);
