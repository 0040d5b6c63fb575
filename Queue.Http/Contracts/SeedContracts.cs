using System.Text.Json.Serialization;

namespace Queue.Http.Contracts;

// Response bodies of the seed-compatible API (design.md §5). Field names are the seeds' own.

public sealed record StatusResponse(string Status);

public sealed record MessageResponse(string Status, string Message);

public sealed record TopicsResponse(string Status, IReadOnlyList<string> Topics);

public sealed record PartitionsResponse(string Status, IReadOnlyList<int> Partitions);

public sealed record ProducerRegisteredResponse(string Status, long ProducerId, int? Partition);

public sealed record ConsumerRegisteredResponse(string Status, long ConsumerId, int? Partition);

public sealed record ProducedResponse(string Status, int Partition, long Offset);

public sealed record ConsumedResponse(string Status, string Message, int Partition, long Offset);

/// <summary><c>size</c> is the total; <c>sizes</c> has one entry per partition the consumer reads, in partition order.</summary>
public sealed record SizeResponse(string Status, long Size, IReadOnlyList<PartitionSize> Sizes);

public sealed record PartitionSize(int Partition, long Size);

public sealed record HealthResponse(string Status, string Node, IReadOnlyList<string> Roles, string Journal);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(TopicsResponse))]
[JsonSerializable(typeof(PartitionsResponse))]
[JsonSerializable(typeof(ProducerRegisteredResponse))]
[JsonSerializable(typeof(ConsumerRegisteredResponse))]
[JsonSerializable(typeof(ProducedResponse))]
[JsonSerializable(typeof(ConsumedResponse))]
[JsonSerializable(typeof(SizeResponse))]
[JsonSerializable(typeof(HealthResponse))]
public sealed partial class SeedJsonContext : JsonSerializerContext;
