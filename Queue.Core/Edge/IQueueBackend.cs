using Queue.Core.Log;
using Queue.Core.Protocol;

namespace Queue.Core.Edge;

/// <summary>
/// How the request logic reaches the cluster: the partitions (cluster sharding) and the
/// catalogue (the manager singleton). Every failure comes out as a <see cref="QueueException"/>:
/// a <see cref="RequestFailed"/> answer keeps its kind; no answer in time is
/// <see cref="QueueErrorKind.Unavailable"/>, because the request may or may not have been
/// carried out.
/// </summary>
public interface IQueueBackend
{
    Task<TReply> AskPartitionAsync<TReply>(PartitionId partition, IPartitionRequest<TReply> request, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Fire-and-forget to a partition (e.g. <see cref="ReturnDelivery"/>).</summary>
    void TellPartition(PartitionId partition, IQueueMessage message);

    Task<TReply> AskCatalogueAsync<TReply>(IRequest<TReply> request, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Fire-and-forget to the catalogue (e.g. <see cref="RecordHealth"/>).</summary>
    void TellCatalogue(IQueueMessage message);
}
