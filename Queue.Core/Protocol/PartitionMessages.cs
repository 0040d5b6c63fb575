using Queue.Core.Actors;
using Queue.Core.Log;

namespace Queue.Core.Protocol;

// The partition actor's protocol: everything an edge can ask of one partition. Replies come only
// after the journal has committed whatever the request changed.

/// <summary>One message to append, with the producer that sent it.</summary>
public sealed record ProduceItem(string Payload, long ProducerId);

/// <summary>
/// Appends messages, in order, with consecutive offsets. With <see cref="Sequence"/> the append is
/// idempotent per producer: the partition remembers each producer's last sequence number and the
/// offsets it got, and answers a repeat of that sequence with those offsets instead of appending.
/// </summary>
public sealed record AppendMessages(IReadOnlyList<ProduceItem> Items, ProducerSequence? Sequence = null) : IAsk<MessagesAppended>;

/// <summary>A producer's batch number; numbers only grow, one producer id sends one batch at a time.</summary>
public readonly record struct ProducerSequence(long ProducerId, long Sequence);

/// <summary>How an append ended; only <see cref="Appended"/> wrote anything.</summary>
public enum AppendStatus
{
    Appended,

    /// <summary>The producer's last batch again: nothing written, the original offsets returned.</summary>
    Duplicate,

    /// <summary>A sequence number older than the producer's last one: nothing written.</summary>
    StaleSequence,
}

/// <param name="LastSequence">For <see cref="AppendStatus.StaleSequence"/>, the producer's newest sequence number here.</param>
public sealed record MessagesAppended(long FirstOffset, int Count, AppendStatus Status = AppendStatus.Appended, long LastSequence = -1);

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

/// <summary>
/// Answers once the partition has a committed message at <see cref="Offset"/> or beyond: at once if
/// it has one already, else after the commit that brings one (long-poll). The partition keeps the
/// request aside without blocking; an asker that gives up (timeout) is dropped from the list.
/// </summary>
public sealed record WaitForMessages(long Offset) : IAsk<MessagesAvailable>;

/// <summary><see cref="HighWatermark"/> at the time of the answer; equal to the offset awaited when the partition stopped first.</summary>
public sealed record MessagesAvailable(long HighWatermark);

/// <summary>
/// Sets a consumer's position (the next offset it reads) after it processed everything before it:
/// the at-least-once commit. Any offset from the log start to the high-water mark is accepted,
/// backwards too (a consumer may re-read).
/// </summary>
public sealed record CommitPosition(long ConsumerId, long Offset) : IAsk<PositionCommitted>;

/// <summary><see cref="Accepted"/> false when the offset was outside the log; nothing changed then.</summary>
public sealed record PositionCommitted(bool Accepted, long Position, long LogStart, long HighWatermark);
