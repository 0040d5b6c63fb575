namespace Queue.Core.Edge;

/// <summary>A request the queue refuses, with a message meant for the client.</summary>
public sealed class QueueException(QueueErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public QueueErrorKind Kind { get; } = kind;

    public bool IsRetryable => Kind is QueueErrorKind.Unavailable or QueueErrorKind.Overloaded;
}
