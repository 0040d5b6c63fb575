namespace Queue.Core.Actors;

public static class ActorRefExtensions
{
    /// <summary>Sends without waiting for a reply (waits only for mailbox room).</summary>
    public static ValueTask TellAsync(this IActorRef actor, object message, CancellationToken cancellationToken = default) =>
        actor.SendAsync(Envelope.Tell(message), cancellationToken);

    /// <summary>
    /// Sends <paramref name="message"/> and waits for its reply. The timeout covers both the wait
    /// for mailbox room and the wait for the answer, so a full mailbox surfaces as a timeout
    /// rather than an unbounded wait.
    /// </summary>
    public static async Task<TReply> AskAsync<TReply>(
        this IActorRef actor, IAsk<TReply> message, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        (TReply)(await actor.AskUntypedAsync(message, timeout, cancellationToken))!;

    /// <summary>
    /// <see cref="AskAsync{TReply}"/> for code that routes messages it does not know the types of,
    /// such as the node transport's request handler.
    /// </summary>
    public static async Task<object?> AskUntypedAsync(
        this IActorRef actor, object message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var envelope = Envelope.Ask(message);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await actor.SendAsync(envelope, deadline.Token);
            return await envelope.ReplyTask!.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Mark the envelope so the actor skips it if it is still queued: the caller has
            // already been told "no answer", so doing the work now would only surprise it.
            var timedOut = new AskTimeoutException(actor.Path, timeout);
            envelope.Abandon(timedOut);
            throw timedOut;
        }
        catch (OperationCanceledException)
        {
            envelope.Abandon(new OperationCanceledException(cancellationToken));
            throw;
        }
    }
}
