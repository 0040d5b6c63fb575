using System.Text.Json.Serialization;

namespace Queue.Client.Internal;

// The /v1 wire format as the SDK sees it (docs/api-v1.md). Kept apart from the server's own
// contracts on purpose: the SDK references no server assembly, and a field the server adds
// later is simply ignored here.

internal sealed record WireCreateTopic(string Name, int? Partitions, long? RetentionMs = null, long? RetentionMessages = null);

// Both limits always written, null included: on PATCH a null removes the limit, a missing field would keep it.
internal sealed record WireSetRetention(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? RetentionMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? RetentionMessages);

internal sealed record WireTopic(
    string Name, int Partitions, IReadOnlyList<WirePartitionState>? PartitionStates, long? RetentionMs = null, long? RetentionMessages = null);

internal sealed record WirePartitionState(int Partition, long LogStart, long HighWatermark);

internal sealed record WireTopicList(IReadOnlyList<WireTopic> Topics);

internal sealed record WireRegisterProducer(string Topic, int? Partition);

internal sealed record WireProducer(long ProducerId, string Topic, int? Partition);

internal sealed record WireRegisterConsumer(string Topic, int? Partition, string From);

internal sealed record WireConsumer(long ConsumerId, string Topic, int? Partition, string From);

internal sealed record WireProduceMessage(string Value, string? Key, int? Partition);

internal sealed record WireProduce(long? ProducerId, long? Sequence, IReadOnlyList<WireProduceMessage> Messages);

internal sealed record WireOffset(int Partition, long Offset);

internal sealed record WireProduceReply(IReadOnlyList<WireOffset> Offsets, bool Duplicate);

internal sealed record WireMessage(int Partition, long Offset, string Value, long? ProducerId, DateTimeOffset Timestamp);

internal sealed record WireFetchReply(IReadOnlyList<WireMessage> Messages, long LogStart, long HighWatermark, long Skipped = 0);

internal sealed record WirePosition(int Partition, long Position, long HighWatermark, long Lag);

internal sealed record WirePositions(long ConsumerId, string Topic, IReadOnlyList<WirePosition> Positions, long Lag);

internal sealed record WireCommit(IReadOnlyList<WireOffset> Offsets);

internal sealed record WireJoinGroup(string Topic, long SessionTimeoutMs, string From, string? MemberId = null);

internal sealed record WireHeartbeat(long Generation);

internal sealed record WireGroupAssignment(string MemberId, long Generation, IReadOnlyList<int> Partitions, IReadOnlyList<WireOffset> Offsets);

internal sealed record WireGroupCommit(string MemberId, long Generation, IReadOnlyList<WireOffset> Offsets);

internal sealed record WireGroupDescription(string Group, string Topic, long Generation);

internal sealed record WireError(string? Code, string? Message);

internal sealed record WireErrorReply(WireError? Error, string? Status, string? Message);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WireCreateTopic))]
[JsonSerializable(typeof(WireSetRetention))]
[JsonSerializable(typeof(WireTopic))]
[JsonSerializable(typeof(WireTopicList))]
[JsonSerializable(typeof(WireRegisterProducer))]
[JsonSerializable(typeof(WireProducer))]
[JsonSerializable(typeof(WireRegisterConsumer))]
[JsonSerializable(typeof(WireConsumer))]
[JsonSerializable(typeof(WireProduce))]
[JsonSerializable(typeof(WireProduceReply))]
[JsonSerializable(typeof(WireFetchReply))]
[JsonSerializable(typeof(WirePositions))]
[JsonSerializable(typeof(WireJoinGroup))]
[JsonSerializable(typeof(WireHeartbeat))]
[JsonSerializable(typeof(WireGroupAssignment))]
[JsonSerializable(typeof(WireGroupCommit))]
[JsonSerializable(typeof(WireGroupDescription))]
[JsonSerializable(typeof(WireCommit))]
[JsonSerializable(typeof(WireErrorReply))]
internal sealed partial class WireJsonContext : JsonSerializerContext;
