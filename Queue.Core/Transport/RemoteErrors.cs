using Queue.Core.Actors;
using Queue.Core.Edge;
using Queue.Core.Journal;

namespace Queue.Core.Transport;

/// <summary>
/// How failures cross the wire. A handler's exception becomes an error-response payload
/// [byte <see cref="RemoteErrorKind"/>][byte <see cref="QueueErrorKind"/>][string message] and the
/// caller gets back an exception it can act on without knowing the peer's types:
/// <list type="bullet">
/// <item><see cref="QueueException"/> keeps its kind (a client mistake stays a client mistake);</item>
/// <item>"try again later" failures (journal down, actor restarting, ask timed out, node stopping)
/// become <c>QueueException(Unavailable)</c>, which the edge already answers with 503;</item>
/// <item>"not here" failures (fenced journal write, partition not owned) become
/// <see cref="NotOwnerException"/>: refresh routing, then retry;</item>
/// <item>anything else is the peer's bug and becomes a permanent <see cref="RemoteFailureException"/>.</item>
/// </list>
/// </summary>
public static class RemoteErrors
{
    /// <summary>Sorts any exception from a remote request (local transport failures included).</summary>
    public static RetryAdvice AdviceFor(Exception error) => error switch
    {
        NotOwnerException or JournalFencedException => RetryAdvice.RefreshRoutingAndRetry,
        TransportUnavailableException => RetryAdvice.Retry,
        QueueException { IsRetryable: true } => RetryAdvice.Retry,
        _ when IsTransient(error) => RetryAdvice.Retry,
        _ => RetryAdvice.DoNotRetry,
    };

    /// <summary>The wire form of a handler's failure.</summary>
    public static (RemoteErrorKind Kind, QueueErrorKind QueueKind, string Message) Describe(Exception error) => error switch
    {
        QueueException queue => (RemoteErrorKind.Queue, queue.Kind, queue.Message),
        NotOwnerException or JournalFencedException => (RemoteErrorKind.NotOwner, QueueErrorKind.Unavailable, error.Message),
        // A partition actor that could not start because this node no longer owns it.
        ActorUnavailableException { InnerException: NotOwnerException or JournalFencedException } => (RemoteErrorKind.NotOwner, QueueErrorKind.Unavailable, error.Message),
        UnknownMessageTypeException or WireFormatException => (RemoteErrorKind.BadMessage, QueueErrorKind.BadRequest, error.Message),
        _ when IsTransient(error) => (RemoteErrorKind.Unavailable, QueueErrorKind.Unavailable, error.Message),
        _ => (RemoteErrorKind.Internal, QueueErrorKind.BadRequest, $"{error.GetType().Name}: {error.Message}"),
    };

    public static void Write(WireWriter writer, Exception error)
    {
        var (kind, queueKind, message) = Describe(error);
        writer.WriteByte((byte)kind);
        writer.WriteByte((byte)queueKind);
        writer.WriteString(message);
    }

    /// <summary>Rebuilds, on the caller's side, the exception an error-response describes.</summary>
    public static Exception Read(ref WireReader reader, string peer)
    {
        var kind = (RemoteErrorKind)reader.ReadByte();
        var queueKind = (QueueErrorKind)reader.ReadByte();
        var message = reader.ReadString();
        return kind switch
        {
            RemoteErrorKind.Queue when Enum.IsDefined(queueKind) => new QueueException(queueKind, message),
            RemoteErrorKind.Unavailable => new QueueException(QueueErrorKind.Unavailable, message),
            RemoteErrorKind.NotOwner => new NotOwnerException(message),
            RemoteErrorKind.BadMessage => new RemoteFailureException(kind, $"{peer} could not decode the request: {message}"),
            // Internal, or a kind a newer peer added: not something a retry is known to fix.
            _ => new RemoteFailureException(kind, $"{peer} failed: {message}"),
        };
    }

    // Failures that say nothing about the request itself, only about the moment.
    private static bool IsTransient(Exception error) => error is
        JournalUnavailableException or ActorUnavailableException or ActorStoppedException or
        AskTimeoutException or TimeoutException or OperationCanceledException or
        TransportUnavailableException;
}
