namespace Queue.MultiNode.Tests;

/// <summary>/cluster/partitions as one node answered it.</summary>
public sealed record PartitionMap(IReadOnlyDictionary<(string Topic, int Partition), PartitionOwner> Owners)
{
    /// <summary>Owner per shard (only shards holding partitions of the listed topics).</summary>
    public IReadOnlyDictionary<int, string?> OwnerByShard =>
        Owners.Values.GroupBy(o => o.Shard).ToDictionary(g => g.Key, g => g.First().Owner);

    /// <summary>How many partitions each owner serves.</summary>
    public IReadOnlyDictionary<string, int> PartitionsPerOwner =>
        Owners.Values.Where(o => o.Owner is not null).GroupBy(o => o.Owner!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}
