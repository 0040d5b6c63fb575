namespace Queue.Core.Edge;

/// <summary>One message of a /v1 batch: its value and, optionally, where it must go.</summary>
public sealed record BatchItem(string? Value, string? Key, int? Partition);
