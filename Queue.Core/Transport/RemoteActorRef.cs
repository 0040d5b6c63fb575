using Queue.Core.Actors;
using Queue.Core.Log;

namespace Queue.Core.Transport;

/// <summary>
/// An actor on another node, addressed like a local one: <see cref="SendAsync"/> sends the
/// envelope's message (wrapped in a request that names the target) and completes the envelope
/// with the peer's answer or error, so <c>AskAsync</c> and <c>TellAsync</c> work unchanged.
/// As with a local mailbox, SendAsync returns once the message is on its way; back-pressure
/// comes from the connection's send queue instead of the mailbox.
/// </summary>
public sealed class RemoteActorRef : IActorRef
{
    private readonly TransportClient _client;
    private readonly Func<object, object> _wrap;
    private readonly TimeSpan? _requestTimeout;

    /// <param name="wrap">Builds the request the peer's handler routes on, from the message.</param>
    /// <param name="requestTimeout">
    /// Upper bound on the wait for an answer; AskAsync's own timeout still applies and usually
    /// fires first. Null = the client's configured request timeout.
    /// </param>
    public RemoteActorRef(TransportClient client, string path, Func<object, object> wrap, TimeSpan? requestTimeout = null)
    {
        _client = client;
        _wrap = wrap;
        _requestTimeout = requestTimeout;
        Path = $"aq://{client.RemoteAddress}/{path}";
    }

    public string Path { get; }

    /// <summary>The actor at <paramref name="path"/> on the peer, reached through <see cref="ActorRequest"/>.</summary>
    public static RemoteActorRef ForPath(TransportClient client, string path, TimeSpan? requestTimeout = null) =>
        new(client, path, message => new ActorRequest(path, message), requestTimeout);

    /// <summary>The owner of <paramref name="partition"/> on the peer, reached through <see cref="PartitionRequest"/>.</summary>
    public static RemoteActorRef ForPartition(TransportClient client, PartitionId partition, TimeSpan? requestTimeout = null) =>
        new(client, $"partitions/{partition}", message => new PartitionRequest(partition, message), requestTimeout);

    public async ValueTask SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        var request = _wrap(envelope.Message);
        if (envelope.ReplyTask is null)
        {
            await _client.SendOneWayAsync(request, cancellationToken).ConfigureAwait(false);
            return;
        }
        var reply = await _client.SendRequestAsync(request, _requestTimeout ?? _client.DefaultRequestTimeout, cancellationToken).ConfigureAwait(false);
        _ = reply.ContinueWith(static (task, state) =>
        {
            var envelope = (Envelope)state!;
            if (task.IsCompletedSuccessfully)
            {
                envelope.Reply(task.Result);
            }
            else
            {
                envelope.Fail(task.Exception?.InnerException ?? new OperationCanceledException());
            }
        }, envelope, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
