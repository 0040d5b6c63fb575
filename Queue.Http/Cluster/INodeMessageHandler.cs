namespace Queue.Http.Cluster;

/// <summary>
/// One part of what a node answers on its transport port. An edge answers a few messages
/// (who is the manager, routing-table pushes); a broker adds partitions, the catalogue and the
/// manager. The transport server asks each registered part in turn.
/// </summary>
public interface INodeMessageHandler
{
    bool CanHandle(object message);

    ValueTask<object?> HandleAsync(object message, CancellationToken cancellationToken);
}
