namespace Queue.Client.Internal;

/// <summary>A message waiting in a producer lane, or (with no message) a flush marker.</summary>
internal sealed class PendingSend(OutgoingMessage? message)
{
    public OutgoingMessage? Message { get; } = message;

    public bool IsFlush => Message is null;

    // Completed from the lane's loop; asynchronous continuations keep one slow caller from
    // stalling the loop that completes a whole batch.
    public TaskCompletionSource<MessageOffset> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
