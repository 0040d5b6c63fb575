using Queue.Core.Edge;

namespace Queue.Core.Protocol;

/// <summary>
/// Everything AkkaQueue sends between actors, journals or snapshots carries this marker. The
/// marker is bound to <see cref="Serialization.QueueSerializer"/> in hocon/akka.conf, so no queue
/// message ever falls back to a reflection-based serializer (and a type without a binary codec
/// fails the serializer's round-trip test instead of silently going out as JSON).
/// </summary>
public interface IQueueMessage;

/// <summary>A request whose successful answer is a <typeparamref name="TReply"/>; any request may be answered with <see cref="RequestFailed"/> instead.</summary>
public interface IRequest<TReply> : IQueueMessage;

/// <summary>
/// The answer of a request that was refused or could not be carried out. Replies cross nodes, so
/// failures travel as data rather than as exceptions; the edge turns them back into
/// <see cref="QueueException"/>. Only <see cref="QueueErrorKind.Unavailable"/> and
/// <see cref="QueueErrorKind.Overloaded"/> are retryable; every other kind changed nothing.
/// </summary>
public sealed record RequestFailed(QueueErrorKind Kind, string Message) : IQueueMessage;
