using Queue.Core.Actors;
using Queue.Core.Log;

namespace Queue.Core.Protocol;

// The partition actor's protocol: everything an edge can ask of one partition. Replies come only
// after the journal has committed whatever the request changed.

/// <summary>One message to append, with the producer that sent it.</summary>
public sealed record ProduceItem(string Payload, long ProducerId);

/// <summary>Appends messages, in order, with consecutive offsets.</summary>
public sealed record AppendMessages(IReadOnlyList<ProduceItem> Items) : IAsk<MessagesAppended>;

public sealed record MessagesAppended(long FirstOffset, int Count);

/// <summary>Returns the consumer's next message and moves its position past it (at-most-once).</summary>
public sealed record ConsumeNext(long ConsumerId, StartFrom From) : IAsk<NextConsumed>;

/// <summary><see cref="Message"/> is null when the consumer has read everything committed.</summary>
public sealed record NextConsumed(StoredMessage? Message, long Remaining);

/// <summary>How far behind the end of the log the consumer is.</summary>
public sealed record GetBacklog(long ConsumerId, StartFrom From) : IAsk<BacklogReported>;

public sealed record BacklogReported(long Position, long HighWatermark)
{
    public long Size => Math.Max(0, HighWatermark - Position);
}

/// <summary>Fixes a new consumer's start position now, so "latest" means latest at registration.</summary>
public sealed record PinConsumer(long ConsumerId, StartFrom From) : IAsk<ConsumerPinned>;

public sealed record ConsumerPinned(long Position);

/// <summary>Reads committed messages by offset without moving any position.</summary>
public sealed record FetchMessages(long Offset, int Max) : IAsk<MessagesFetched>;

public sealed record MessagesFetched(IReadOnlyList<StoredMessage> Messages, long LogStart, long HighWatermark);
