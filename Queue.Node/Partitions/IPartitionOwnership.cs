using Queue.Core.Log;

namespace Queue.Node.Partitions;

/// <summary>Tells a partition actor under which epoch it may write, if this node may host it at all.</summary>
internal interface IPartitionOwnership
{
    /// <summary>
    /// The epoch assigned by the cluster manager, or null on a single node (the actor then claims
    /// the partition itself).
    /// </summary>
    /// <exception cref="Queue.Core.Transport.NotOwnerException">This node does not own the partition now.</exception>
    long? EpochFor(PartitionId partition);
}
