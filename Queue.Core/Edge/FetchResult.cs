using Queue.Core.Log;

namespace Queue.Core.Edge;

/// <summary>Committed messages read from one partition by offset, and where its log starts and ends.</summary>
public sealed record FetchResult(int Partition, IReadOnlyList<StoredMessage> Messages, long LogStart, long HighWatermark);
