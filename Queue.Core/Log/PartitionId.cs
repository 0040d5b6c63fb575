namespace Queue.Core.Log;

/// <summary>One partition of one topic: the unit that has a single writer (an entity, in Akka terms).</summary>
public readonly record struct PartitionId(string Topic, int Partition)
{
    public override string ToString() => $"{Topic}/{Partition}";
}
