namespace Queue.Core.Actors;

/// <summary>
/// Base of every actor. An instance only ever sees one message (or batch) at a time from its
/// cell's single reader loop, so it keeps plain fields and takes no locks. When a handler throws,
/// the cell fails the batch, throws the instance away and builds a fresh one whose
/// <see cref="PreStartAsync"/> recovers state from persistence: Akka's restart directive.
/// </summary>
public abstract class Actor
{
    /// <summary>Runs before the first message and after every restart: rebuild state here.</summary>
    protected virtual Task PreStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Handles messages taken together from the mailbox, in arrival order. Override to commit a
    /// batch with one journal write (group commit); the default hands them one at a time.
    /// </summary>
    protected virtual async ValueTask ReceiveBatchAsync(IReadOnlyList<Envelope> batch, CancellationToken cancellationToken)
    {
        foreach (var envelope in batch)
        {
            // Checked again here, not only when the batch was taken: an asker may give up while
            // earlier messages of the same batch are being handled.
            if (!envelope.IsCompleted)
            {
                await ReceiveAsync(envelope, cancellationToken);
            }
        }
    }

    protected abstract ValueTask ReceiveAsync(Envelope envelope, CancellationToken cancellationToken);

    /// <summary>Runs once when the actor stops for good (not on restart).</summary>
    protected virtual ValueTask PostStopAsync() => ValueTask.CompletedTask;

    // The cell drives the actor through these; the hooks stay protected so subclasses in any
    // assembly override them the same way.
    internal Task RunPreStartAsync(CancellationToken cancellationToken) => PreStartAsync(cancellationToken);

    internal ValueTask RunBatchAsync(IReadOnlyList<Envelope> batch, CancellationToken cancellationToken) =>
        ReceiveBatchAsync(batch, cancellationToken);

    internal ValueTask RunPostStopAsync() => PostStopAsync();
}
