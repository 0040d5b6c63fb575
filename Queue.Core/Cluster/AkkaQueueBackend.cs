using Akka.Actor;
using Queue.Core.Diagnostics;
using Queue.Core.Edge;
using Queue.Core.Log;
using Queue.Core.Protocol;

namespace Queue.Core.Cluster;

/// <summary>
/// <see cref="IQueueBackend"/> over Akka: partitions through the shard region (or its proxy on
/// nodes that host none), the catalogue through the singleton proxy. Every request is an ask
/// bounded by the caller's deadline, which also travels in the envelope so the partition drops
/// work nobody waits for any more.
/// </summary>
/// <remarks>
/// In-flight asks from this node are capped (<paramref name="maxInFlight"/>): a caller that
/// finds no room within <paramref name="inFlightWait"/> is refused as overloaded. That, not the
/// mailboxes (Akka's are unbounded), is what keeps a flood from growing memory without limit.
/// </remarks>
public sealed class AkkaQueueBackend(Func<IActorRef> partitionsRef, Func<IActorRef> catalogueRef, int maxInFlight, TimeSpan inFlightWait) : IQueueBackend
{
    private readonly SemaphoreSlim _inFlight = new(maxInFlight, maxInFlight);
    // Looked up on first use: the region and the proxy exist only once the actor system has
    // started, which is after the host has built its services.
    private readonly Lazy<IActorRef> _partitions = new(partitionsRef);
    private readonly Lazy<IActorRef> _catalogue = new(catalogueRef);

    public AkkaQueueBackend(IActorRef partitions, IActorRef catalogue, int maxInFlight, TimeSpan inFlightWait)
        : this(() => partitions, () => catalogue, maxInFlight, inFlightWait)
    {
    }

    /// <summary>Partition asks from this node now waiting for their answer.</summary>
    public int InFlight => maxInFlight - _inFlight.CurrentCount;

    private IActorRef partitions => _partitions.Value;

    private IActorRef catalogue => _catalogue.Value;

    public async Task<TReply> AskPartitionAsync<TReply>(PartitionId partition, IPartitionRequest<TReply> request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        var wait = inFlightWait > TimeSpan.Zero && inFlightWait < timeout ? inFlightWait : timeout;
        if (!await _inFlight.WaitAsync(wait, cancellationToken))
        {
            throw new QueueException(QueueErrorKind.Overloaded,
                $"Partition {partition} cannot take more requests right now: {maxInFlight} are in flight from this node; retry after a pause");
        }
        QueueMetrics.AskStarted();
        try
        {
            var left = timeout - (DateTime.UtcNow - started);
            if (left <= TimeSpan.Zero)
            {
                QueueMetrics.AskTimedOut("partition");
                throw Timeout($"Partition {partition}");
            }
            var envelope = new PartitionEnvelope(partition.Topic, partition.Partition, request, (DateTime.UtcNow + left).Ticks);
            var reply = await AskAsync(partitions, envelope, left, $"Partition {partition}", "partition", cancellationToken);
            return Unwrap<TReply>(reply, $"Partition {partition}");
        }
        finally
        {
            QueueMetrics.AskEnded();
            _inFlight.Release();
        }
    }

    public void TellPartition(PartitionId partition, IQueueMessage message) =>
        partitions.Tell(new PartitionEnvelope(partition.Topic, partition.Partition, message, 0));

    public async Task<TReply> AskCatalogueAsync<TReply>(IRequest<TReply> request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reply = await AskAsync(catalogue, request, timeout, "The topic catalogue", "catalogue", cancellationToken);
        return Unwrap<TReply>(reply, "The topic catalogue");
    }

    public void TellCatalogue(IQueueMessage message) => catalogue.Tell(message);

    private static async Task<object> AskAsync(IActorRef target, object message, TimeSpan timeout, string what, string metricTarget, CancellationToken cancellationToken)
    {
        try
        {
            return await target.Ask<object>(message, timeout, cancellationToken);
        }
        catch (AskTimeoutException)
        {
            QueueMetrics.AskTimedOut(metricTarget);
            throw Timeout(what);
        }
    }

    private static TReply Unwrap<TReply>(object reply, string what) => reply switch
    {
        TReply ok => ok,
        RequestFailed failed => throw new QueueException(failed.Kind, failed.Message),
        Status.Failure failure => throw new QueueException(QueueErrorKind.Unavailable, $"{what} cannot serve right now: {failure.Cause.Message}; retry later"),
        _ => throw new QueueException(QueueErrorKind.Unavailable, $"{what} answered with an unexpected {reply.GetType().Name}; retry later"),
    };

    private static QueueException Timeout(string what) =>
        new(QueueErrorKind.Unavailable, $"{what} cannot serve right now: no answer within the request timeout; retry later");
}
