namespace Queue.Client;

/// <summary>Messages read from one partition, with the partition's bounds at the time.</summary>
/// <param name="Messages">Committed messages in offset order; empty when a long-poll ended with nothing new.</param>
/// <param name="LogStart">Offset of the oldest message in the partition.</param>
/// <param name="HighWatermark">The offset the partition will assign next.</param>
public sealed record FetchedMessages(IReadOnlyList<ConsumedMessage> Messages, long LogStart, long HighWatermark);
