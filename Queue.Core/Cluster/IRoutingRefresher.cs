using Queue.Core.Log;

namespace Queue.Core.Cluster;

/// <summary>
/// Gets a fresher routing table after a request met a partition that moved ("not the owner").
/// Single-node mode has none: its partitions never move.
/// </summary>
public interface IRoutingRefresher
{
    /// <summary>Returns when a newer table is in place, or after a short pause if none came.</summary>
    Task RefreshAsync(PartitionId partition, CancellationToken cancellationToken);
}
