using System.Text.Json.Serialization;

namespace Queue.Http.Contracts;

// Bodies of the /v1 consumer-group endpoints (POST/GET /v1/groups/...), snake_case like the rest
// of /v1. Request fields are nullable so a missing one gets our own 400.

/// <summary>POST /v1/groups/{group}/members. <c>from</c> (<c>latest</c> default, or <c>earliest</c>) applies to partitions the group has no committed offset for.</summary>
public sealed record V1JoinGroupRequest(string? Topic = null, long? SessionTimeoutMs = null, string? From = null, string? MemberId = null);

/// <summary>POST /v1/groups/{group}/members/{member}/heartbeat.</summary>
public sealed record V1HeartbeatRequest(long? Generation = null);

/// <summary>A partition and the group's committed offset there: the next offset to read.</summary>
public sealed record V1GroupOffset(int? Partition = null, long? Offset = null);

/// <summary>A member's assignment: the answer to a join (201) and to a heartbeat (200). <c>offsets</c> says where to start reading each partition.</summary>
public sealed record V1GroupAssignment(string MemberId, long Generation, IReadOnlyList<int> Partitions, IReadOnlyList<V1GroupOffset> Offsets, long SessionTimeoutMs);

/// <summary>POST /v1/groups/{group}/commit.</summary>
public sealed record V1GroupCommitRequest(string? MemberId = null, long? Generation = null, IReadOnlyList<V1GroupOffset>? Offsets = null);

/// <summary>A member and the partitions it owns in the current generation.</summary>
public sealed record V1GroupMember(string MemberId, IReadOnlyList<int> Partitions, long SessionTimeoutMs);

/// <summary>One partition of the group's topic: owner, committed offset (absent before any commit), log bounds and lag.</summary>
public sealed record V1GroupPartition(int Partition, string? MemberId, long? CommittedOffset, long LogStart, long HighWatermark, long Lag);

/// <summary>GET /v1/groups/{group} and the answer to a commit.</summary>
public sealed record V1GroupDescription(string Group, string Topic, long Generation, IReadOnlyList<V1GroupMember> Members, IReadOnlyList<V1GroupPartition> Partitions, long Lag);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(V1JoinGroupRequest))]
[JsonSerializable(typeof(V1HeartbeatRequest))]
[JsonSerializable(typeof(V1GroupAssignment))]
[JsonSerializable(typeof(V1GroupCommitRequest))]
[JsonSerializable(typeof(V1GroupDescription))]
public sealed partial class V1GroupJsonContext : JsonSerializerContext;

/// <summary>The group bodies' serializer: the same settings as <see cref="V1Json"/>, its own options instance (a context owns its options).</summary>
public static class V1GroupJson
{
    public static V1GroupJsonContext Context { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    });
}
