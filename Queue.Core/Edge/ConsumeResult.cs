using Queue.Core.Log;

namespace Queue.Core.Edge;

/// <summary>A consumed message and the partition it came from.</summary>
public sealed record ConsumeResult(int Partition, StoredMessage Message);
