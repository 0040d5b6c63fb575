using Queue.Core.Log;

namespace Queue.Core.Transport;

// Envelopes that name the target of a remote request. The transport itself never looks inside:
// the receiving node's handler routes on them.

/// <summary>A message for the actor that owns <paramref name="Partition"/> on the receiving node.</summary>
public sealed record PartitionRequest(PartitionId Partition, object Message);

/// <summary>A message for the actor at <paramref name="Path"/> on the receiving node.</summary>
public sealed record ActorRequest(string Path, object Message);
