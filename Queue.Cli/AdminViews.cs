namespace Queue.Cli;

// The admin endpoints' JSON (/cluster, /cluster/partitions, /cluster/consumers) as the tool reads
// it: only the fields it shows. The SDK covers the /v1 API; these are operator views outside it.

public sealed record ClusterView(string Node, string Mode, ManagerView? Manager, IReadOnlyList<MemberView> Members);

public sealed record ManagerView(string NodeId, string Address);

public sealed record MemberView(string NodeId, string Address, string HttpAddress, IReadOnlyList<string> Roles, string Status);

public sealed record PlacementView(IReadOnlyList<PartitionPlacement> Partitions);

public sealed record PartitionPlacement(string Topic, int Partition, string? Owner);

public sealed record ConsumersView(IReadOnlyList<ConsumerLag> Consumers);

public sealed record ConsumerLag(long ConsumerId, string Topic, int? Partition, long? Lag, IReadOnlyList<PositionView> Positions, string? Error);

public sealed record PositionView(int Partition, long Position, long HighWatermark, long Lag);
