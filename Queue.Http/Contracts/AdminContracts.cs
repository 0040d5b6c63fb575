using System.Text.Json.Serialization;

namespace Queue.Http.Contracts;

// Response bodies of the admin endpoints: /ready, /cluster, /cluster/partitions.

public sealed record ReadyResponse(string Status, bool Ready, string Node, string Detail);

public sealed record ManagerView(string NodeId, string Address, long Epoch);

public sealed record MemberView(string NodeId, string Address, string HttpAddress, IReadOnlyList<string> Roles, string Status, DateTimeOffset LastHeartbeat);

public sealed record HealthFactView(string Kind, string Id, DateTimeOffset LastSeen);

public sealed record ClusterResponse(
    string Status, string Node, string Mode, ManagerView? Manager, IReadOnlyList<MemberView> Members, long RoutingVersion, IReadOnlyList<HealthFactView> Clients);

public sealed record PartitionView(string Topic, int Partition, int? Shard, string? Owner, long? Epoch);

public sealed record ClusterPartitionsResponse(string Status, long RoutingVersion, int? Shards, IReadOnlyList<PartitionView> Partitions);

public sealed record ConsumerPositionView(int Partition, long Position, long HighWatermark, long Lag);

/// <summary>One consumer's lag; <c>Error</c> says why its positions could not be read (then Lag is null).</summary>
public sealed record ConsumerLagView(long ConsumerId, string Topic, int? Partition, long? Lag, IReadOnlyList<ConsumerPositionView> Positions, string? Error);

public sealed record ConsumersResponse(string Status, IReadOnlyList<ConsumerLagView> Consumers);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ReadyResponse))]
[JsonSerializable(typeof(ClusterResponse))]
[JsonSerializable(typeof(ClusterPartitionsResponse))]
[JsonSerializable(typeof(ConsumersResponse))]
public sealed partial class AdminJsonContext : JsonSerializerContext;
