using Queue.Core.Cluster;
using Queue.Core.Protocol;

namespace Queue.Http.Cluster;

/// <summary>What every clustered node answers: <see cref="WhoIsManager"/> and <see cref="RoutingTableUpdated"/>.</summary>
public sealed class EdgeMessageHandler(MembershipClient membership, RoutingTableHolder routing) : INodeMessageHandler
{
    public bool CanHandle(object message) => message is WhoIsManager or RoutingTableUpdated;

    public ValueTask<object?> HandleAsync(object message, CancellationToken cancellationToken) => message switch
    {
        WhoIsManager => ValueTask.FromResult<object?>(membership.Manager),
        RoutingTableUpdated update => ValueTask.FromResult<object?>(routing.TryUpdate(update.Table)),
        _ => throw new InvalidOperationException($"unexpected {message.GetType().Name}"),
    };
}
