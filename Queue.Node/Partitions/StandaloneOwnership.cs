using Queue.Core.Log;

namespace Queue.Node.Partitions;

/// <summary>A single node owns every partition and claims each itself.</summary>
internal sealed class StandaloneOwnership : IPartitionOwnership
{
    public static StandaloneOwnership Instance { get; } = new();

    public long? EpochFor(PartitionId partition) => null;
}
