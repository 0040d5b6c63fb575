namespace Queue.MultiNode.Tests;

/// <summary>A message at its place in a partition's log: as acknowledged, as consumed, or as stored.</summary>
public sealed record Delivery(int Partition, long Offset, string Message);
