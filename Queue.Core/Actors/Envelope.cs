namespace Queue.Core.Actors;

/// <summary>A message in a mailbox, with the place its reply goes when it was sent as an ask.</summary>
public sealed class Envelope
{
    // RunContinuationsAsynchronously: the actor loop must never run the asker's continuation
    // inline, or one slow caller would stall every other message in the mailbox.
    private readonly TaskCompletionSource<object?>? _reply;

    private Envelope(object message, TaskCompletionSource<object?>? reply)
    {
        Message = message;
        _reply = reply;
    }

    public object Message { get; }

    /// <summary>True once the asker has its answer or has given up (timeout, cancellation).</summary>
    public bool IsCompleted => _reply is { Task.IsCompleted: true };

    internal Task<object?>? ReplyTask => _reply?.Task;

    public static Envelope Tell(object message) => new(message, null);

    public static Envelope Ask(object message) =>
        new(message, new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Reply(object? value) => _reply?.TrySetResult(value);

    public void Fail(Exception error) => _reply?.TrySetException(error);

    internal void Abandon(Exception reason) => _reply?.TrySetException(reason);
}
