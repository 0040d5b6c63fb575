namespace Queue.Core.Log;

/// <summary>A committed message: its place in the partition and who sent it when.</summary>
public sealed record StoredMessage(long Offset, string Payload, long ProducerId, DateTimeOffset Timestamp);
