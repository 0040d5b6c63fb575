namespace Queue.Client;

/// <summary>Messages read from one partition, with the partition's bounds at the time.</summary>
/// <param name="Messages">Committed messages in offset order; empty when a long-poll ended with nothing new.</param>
/// <param name="LogStart">Offset of the oldest message in the partition.</param>
/// <param name="HighWatermark">The offset the partition will assign next.</param>
/// <param name="Skipped">Offsets from the one asked for that retention had already deleted: the answer continues at <paramref name="LogStart"/>.</param>
public sealed record FetchedMessages(IReadOnlyList<ConsumedMessage> Messages, long LogStart, long HighWatermark, long Skipped = 0);
