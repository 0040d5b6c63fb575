namespace Queue.Core.Log;

/// <summary>A consumer's next offset in one partition.</summary>
public readonly record struct ConsumerPosition(long ConsumerId, long Position);
