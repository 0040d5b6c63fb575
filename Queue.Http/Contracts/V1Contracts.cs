using System.Text.Json.Serialization;

namespace Queue.Http.Contracts;

// Request and response bodies of the /v1 API (docs/api-v1.md). Field names are snake_case on the
// wire; request fields are nullable with defaults so a missing field gets our own 400 (not a
// serializer error) and the OpenAPI document does not mark optional fields required.

/// <summary>
/// POST /v1/topics. <c>retention_ms</c> keeps every message younger than that many milliseconds,
/// <c>retention_messages</c> at least that many newest messages per partition (docs/retention.md);
/// each is a positive whole number, and a missing one takes the queue.retention default.
/// </summary>
public sealed record V1CreateTopicRequest(string? Name = null, int? Partitions = null, long? RetentionMs = null, long? RetentionMessages = null);

/// <summary>
/// PATCH /v1/topics/{topic}: a field left out stays as it is, <c>null</c> removes that limit, a
/// positive whole number replaces it. Only the retention can change.
/// </summary>
public sealed record V1PatchTopicRequest(long? RetentionMs = null, long? RetentionMessages = null);

/// <summary>A topic, its partition count and its retention limits (absent = no such limit).</summary>
public sealed record V1Topic(string Name, int Partitions, long? RetentionMs = null, long? RetentionMessages = null);

/// <summary>GET /v1/topics.</summary>
public sealed record V1TopicList(IReadOnlyList<V1Topic> Topics);

/// <summary>One partition's log bounds: offsets from <c>log_start</c> up to (not including) <c>high_watermark</c> are readable.</summary>
public sealed record V1PartitionState(int Partition, long LogStart, long HighWatermark);

/// <summary>GET /v1/topics/{topic}. Retention limits are absent when not set (the topic keeps everything by that rule).</summary>
public sealed record V1TopicDetail(string Name, int Partitions, IReadOnlyList<V1PartitionState> PartitionStates, long? RetentionMs = null, long? RetentionMessages = null);

/// <summary>One message to produce; <c>partition</c> wins over <c>key</c>, and without either the server picks.</summary>
public sealed record V1ProduceMessage(string? Value = null, string? Key = null, int? Partition = null);

/// <summary>POST /v1/topics/{topic}/messages. <c>producer_id</c> + <c>sequence</c> make the batch idempotent.</summary>
public sealed record V1ProduceRequest(long? ProducerId = null, long? Sequence = null, IReadOnlyList<V1ProduceMessage>? Messages = null);

/// <summary>Where one message went.</summary>
public sealed record V1Offset(int Partition, long Offset);

/// <summary>Offsets in request order; <c>duplicate</c> is true when the batch was a retry and nothing new was written.</summary>
public sealed record V1ProduceResponse(IReadOnlyList<V1Offset> Offsets, bool Duplicate);

/// <summary>A committed message as read. <c>producer_id</c> is absent for anonymous produce.</summary>
public sealed record V1Message(int Partition, long Offset, string Value, long? ProducerId, DateTimeOffset Timestamp);

/// <summary>
/// GET /v1/topics/{topic}/partitions/{partition}/messages. <c>skipped</c>: how many offsets from the
/// one asked for were already deleted by retention (the answer continues at the log start).
/// </summary>
public sealed record V1FetchResponse(IReadOnlyList<V1Message> Messages, long LogStart, long HighWatermark, long Skipped = 0);

/// <summary>POST /v1/producers.</summary>
public sealed record V1RegisterProducerRequest(string? Topic = null, int? Partition = null);

/// <summary>A registered producer.</summary>
public sealed record V1Producer(long ProducerId, string Topic, int? Partition);

/// <summary>POST /v1/consumers; <c>from</c> is <c>latest</c> (default) or <c>earliest</c>.</summary>
public sealed record V1RegisterConsumerRequest(string? Topic = null, int? Partition = null, string? From = null);

/// <summary>A registered consumer.</summary>
public sealed record V1Consumer(long ConsumerId, string Topic, int? Partition, string From);

/// <summary>A consumer's committed position (next offset to read) in one partition.</summary>
public sealed record V1Position(int Partition, long Position, long HighWatermark, long Lag);

/// <summary>GET /v1/consumers/{id}/positions and the answer to a commit.</summary>
public sealed record V1Positions(long ConsumerId, string Topic, IReadOnlyList<V1Position> Positions, long Lag);

/// <summary>One position to commit.</summary>
public sealed record V1CommitOffset(int? Partition = null, long? Offset = null);

/// <summary>POST /v1/consumers/{id}/commit: one <c>partition</c>/<c>offset</c> pair, or several in <c>offsets</c>.</summary>
public sealed record V1CommitRequest(int? Partition = null, long? Offset = null, IReadOnlyList<V1CommitOffset>? Offsets = null);

/// <summary>Messages read for a consumer, over its partitions.</summary>
public sealed record V1MessageList(IReadOnlyList<V1Message> Messages);

/// <summary>Every /v1 failure: a stable machine code and a message meant for people.</summary>
public sealed record V1Error(string Code, string Message);

/// <summary>The body of every /v1 failure.</summary>
public sealed record V1ErrorResponse(V1Error Error);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(V1CreateTopicRequest))]
[JsonSerializable(typeof(V1Topic))]
[JsonSerializable(typeof(V1PatchTopicRequest))]
[JsonSerializable(typeof(V1TopicList))]
[JsonSerializable(typeof(V1TopicDetail))]
[JsonSerializable(typeof(V1ProduceRequest))]
[JsonSerializable(typeof(V1ProduceResponse))]
[JsonSerializable(typeof(V1FetchResponse))]
[JsonSerializable(typeof(V1RegisterProducerRequest))]
[JsonSerializable(typeof(V1Producer))]
[JsonSerializable(typeof(V1RegisterConsumerRequest))]
[JsonSerializable(typeof(V1Consumer))]
[JsonSerializable(typeof(V1Positions))]
[JsonSerializable(typeof(V1CommitRequest))]
[JsonSerializable(typeof(V1MessageList))]
[JsonSerializable(typeof(V1ErrorResponse))]
public sealed partial class V1JsonContext : JsonSerializerContext;
