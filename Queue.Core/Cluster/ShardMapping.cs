using System.Text;
using Queue.Core.Log;

namespace Queue.Core.Cluster;

/// <summary>
/// Groups partitions (entities) into shards, the unit the manager allocates and moves. The
/// mapping is a stable hash, so every node computes the same shard for a partition with no
/// coordination, and it never changes while the shard count stays the same.
/// </summary>
public static class ShardMapping
{
    public static int ShardOf(PartitionId partition, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        var hash = KeyPartitioner.Murmur2(Encoding.UTF8.GetBytes($"{partition.Topic}/{partition.Partition}"));
        return (hash & 0x7fffffff) % shardCount;
    }
}
