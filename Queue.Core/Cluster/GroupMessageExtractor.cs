using Akka.Cluster.Sharding;
using Queue.Core.Protocol;

namespace Queue.Core.Cluster;

/// <summary>
/// Routes a <see cref="GroupEnvelope"/> to its group's entity (the entity id is the group name);
/// the entity gets the whole envelope, deadline included. Same shard count as the partitions.
/// </summary>
public sealed class GroupMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    public override string? EntityId(object message) => message is GroupEnvelope e ? e.Group : null;

    public override object EntityMessage(object message) => message;
}
