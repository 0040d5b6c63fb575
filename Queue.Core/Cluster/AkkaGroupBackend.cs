using Akka.Actor;
using Queue.Core.Edge;
using Queue.Core.Protocol;

namespace Queue.Core.Cluster;

/// <summary>
/// <see cref="IGroupBackend"/> over the "groups" shard region (or its proxy). Group requests are
/// few next to partition requests (a heartbeat every few seconds per member, a commit per batch),
/// so they share no in-flight cap with them: a flood of produce must not starve heartbeats into
/// session expiries.
/// </summary>
public sealed class AkkaGroupBackend(Func<IActorRef> groupsRef) : IGroupBackend
{
    private readonly Lazy<IActorRef> _groups = new(groupsRef);

    public async Task<TReply> AskGroupAsync<TReply>(string group, IGroupRequest<TReply> request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var envelope = new GroupEnvelope(group, request, (DateTime.UtcNow + timeout).Ticks);
        object reply;
        try
        {
            reply = await _groups.Value.Ask<object>(envelope, timeout, cancellationToken);
        }
        catch (AskTimeoutException)
        {
            throw new QueueException(QueueErrorKind.Unavailable, $"Group '{group}' cannot serve right now: no answer within the request timeout; retry later");
        }
        return reply switch
        {
            TReply ok => ok,
            RequestFailed failed => throw new QueueException(failed.Kind, failed.Message),
            Status.Failure failure => throw new QueueException(QueueErrorKind.Unavailable, $"Group '{group}' cannot serve right now: {failure.Cause.Message}; retry later"),
            _ => throw new QueueException(QueueErrorKind.Unavailable, $"Group '{group}' answered with an unexpected {reply.GetType().Name}; retry later"),
        };
    }
}
