using Queue.Core.Log;

namespace Queue.Core.Protocol;

// The partition actor's protocol: everything an edge can ask of one partition. Replies come only
// after the journal has committed whatever the request changed.

/// <summary>
/// How a request reaches a partition through cluster sharding: the partition it is for (the
/// entity) and the caller's deadline. The entity receives the whole envelope, so it can refuse
/// work whose caller has already been told "no answer" (design.md §3, invariant 6).
/// </summary>
/// <param name="DeadlineUtcTicks">When the caller stops waiting, in UTC ticks by the sender's clock; 0 = no deadline. Clocks of cluster nodes are assumed to agree within a few milliseconds (NTP), as for any deadline that crosses machines.</param>
public sealed record PartitionEnvelope(string Topic, int Partition, IQueueMessage Message, long DeadlineUtcTicks) : IQueueMessage
{
    public PartitionId Id => new(Topic, Partition);
}

/// <summary>A request to one partition; <typeparamref name="TReply"/> is its successful reply.</summary>
public interface IPartitionRequest<TReply> : IRequest<TReply>;

/// <summary>One message to append, with the producer that sent it.</summary>
public sealed record ProduceItem(string Payload, long ProducerId);

/// <summary>
/// Appends messages, in order, with consecutive offsets. With <see cref="Sequence"/> the append is
/// idempotent per producer: the partition remembers each producer's last sequence number and the
/// offsets it got, and answers a repeat of that sequence with those offsets instead of appending.
/// </summary>
public sealed record AppendMessages(IReadOnlyList<ProduceItem> Items, ProducerSequence? Sequence = null) : IPartitionRequest<MessagesAppended>;

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
public sealed record MessagesAppended(long FirstOffset, int Count, AppendStatus Status = AppendStatus.Appended, long LastSequence = -1) : IQueueMessage;

/// <summary>
/// Returns the consumer's next message and moves its position past it (at-most-once).
/// <see cref="RequestId"/> names this delivery, so an edge whose ask timed out can hand it back
/// (<see cref="ReturnDelivery"/>).
/// </summary>
public sealed record ConsumeNext(long ConsumerId, StartFrom From, Guid RequestId) : IPartitionRequest<NextConsumed>;

/// <summary><see cref="Message"/> is null when the consumer has read everything committed.</summary>
public sealed record NextConsumed(StoredMessage? Message, long Remaining) : IQueueMessage;

/// <summary>
/// Sent (told, never asked) by an edge that gave up waiting for the answer to the consume
/// <see cref="RequestId"/>: if that consume delivered a message and the consumer has not moved
/// since, its position goes back, so the message is delivered again instead of lost. A consume
/// answered 503 must not have moved the position for good (design.md §3, invariant 6).
/// </summary>
public sealed record ReturnDelivery(long ConsumerId, Guid RequestId) : IQueueMessage;

/// <summary>How far behind the end of the log the consumer is.</summary>
public sealed record GetBacklog(long ConsumerId, StartFrom From) : IPartitionRequest<BacklogReported>;

public sealed record BacklogReported(long Position, long HighWatermark) : IQueueMessage
{
    public long Size => Math.Max(0, HighWatermark - Position);
}

/// <summary>Fixes a new consumer's start position now, so "latest" means latest at registration.</summary>
public sealed record PinConsumer(long ConsumerId, StartFrom From) : IPartitionRequest<ConsumerPinned>;

public sealed record ConsumerPinned(long Position) : IQueueMessage;

/// <summary>Reads committed messages by offset without moving any position.</summary>
public sealed record FetchMessages(long Offset, int Max) : IPartitionRequest<MessagesFetched>;

public sealed record MessagesFetched(IReadOnlyList<StoredMessage> Messages, long LogStart, long HighWatermark) : IQueueMessage;

/// <summary>
/// Answers once the partition has a committed message at <see cref="Offset"/> or beyond: at once if
/// it has one already, else after the commit that brings one (long-poll). The partition keeps the
/// request aside without blocking and drops it when the envelope's deadline passes.
/// </summary>
public sealed record WaitForMessages(long Offset) : IPartitionRequest<MessagesAvailable>;

/// <summary><see cref="HighWatermark"/> at the time of the answer; equal to the offset awaited when the partition stopped first.</summary>
public sealed record MessagesAvailable(long HighWatermark) : IQueueMessage;

/// <summary>
/// Sets a consumer's position (the next offset it reads) after it processed everything before it:
/// the at-least-once commit. Any offset from the log start to the high-water mark is accepted,
/// backwards too (a consumer may re-read).
/// </summary>
public sealed record CommitPosition(long ConsumerId, long Offset) : IPartitionRequest<PositionCommitted>;

/// <summary><see cref="Accepted"/> false when the offset was outside the log; nothing changed then.</summary>
public sealed record PositionCommitted(bool Accepted, long Position, long LogStart, long HighWatermark) : IQueueMessage;

/// <summary>
/// Tells a partition its topic's retention (the edge, after a PATCH reached the catalogue). A
/// policy older than the one the partition has (by <see cref="RetentionPolicy.Version"/>) is
/// ignored. Not journaled by the partition: the catalogue is where the policy is kept, and a
/// partition asks it again whenever it starts (docs/retention.md).
/// </summary>
public sealed record ApplyRetention(RetentionPolicy Policy) : IPartitionRequest<RetentionApplied>;

/// <summary>The partition's log bounds once the policy is in force (the log start moves at the next check).</summary>
public sealed record RetentionApplied(long LogStart, long HighWatermark) : IQueueMessage;
