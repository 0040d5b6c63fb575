namespace Queue.Core.Actors;

/// <summary>Where messages for one actor go. Sending waits while the mailbox is full (back-pressure).</summary>
public interface IActorRef
{
    string Path { get; }

    /// <summary>Puts the envelope in the actor's mailbox, waiting for room if it is full.</summary>
    /// <exception cref="ActorStoppedException">The actor is stopped and will take no more messages.</exception>
    ValueTask SendAsync(Envelope envelope, CancellationToken cancellationToken);
}
