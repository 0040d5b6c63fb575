using Akka.Cluster.Sharding;
using Queue.Core.Log;
using Queue.Core.Protocol;

namespace Queue.Core.Cluster;

/// <summary>
/// Routes a <see cref="PartitionEnvelope"/> to its partition's entity. The entity gets the whole
/// envelope (with the caller's deadline), not just the request. Shards are Akka's stable hash of
/// the entity id modulo queue.cluster.shards, so every node computes the same shard for a
/// partition without asking anyone.
/// </summary>
public sealed class PartitionMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    public override string? EntityId(object message) => message is PartitionEnvelope e ? EntityIdOf(e.Id) : null;

    public override object EntityMessage(object message) => message;

    /// <summary>"topic/partition": topic names cannot hold '/', so the last one splits it.</summary>
    public static string EntityIdOf(PartitionId id) => id.ToString();

    public static PartitionId PartitionOf(string entityId)
    {
        var slash = entityId.LastIndexOf('/');
        return new PartitionId(entityId[..slash], int.Parse(entityId[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
