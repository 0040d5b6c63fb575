namespace Queue.Client;

/// <summary>A committed message as a consumer receives it.</summary>
/// <param name="Topic">The topic it was read from.</param>
/// <param name="Partition">Its partition.</param>
/// <param name="Offset">Its offset in the partition; commit <c>Offset + 1</c> once it is processed.</param>
/// <param name="Value">The message text.</param>
/// <param name="ProducerId">The registered producer that sent it; null for anonymous produce.</param>
/// <param name="Timestamp">When the partition appended it.</param>
public sealed record ConsumedMessage(string Topic, int Partition, long Offset, string Value, long? ProducerId, DateTimeOffset Timestamp);
