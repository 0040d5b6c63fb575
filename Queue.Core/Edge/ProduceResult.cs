namespace Queue.Core.Edge;

/// <summary>Where an acknowledged (committed) message went.</summary>
public sealed record ProduceResult(int Partition, long Offset);
