using System.Net;
using System.Text.Json;

namespace Queue.MultiNode.Tests;

/// <summary>The admin endpoints (/ready, /cluster, /cluster/partitions) as the specs read them.</summary>
public static class Admin
{
    public static async Task<bool> IsReadyAsync(HttpClient http)
    {
        using var response = await http.GetAsync("ready");
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>The /ready status code; exceptions (node not listening) propagate.</summary>
    public static async Task<HttpStatusCode> ReadyStatusAsync(HttpClient http)
    {
        using var response = await http.GetAsync("ready");
        return response.StatusCode;
    }

    public static async Task<ClusterSnapshot> GetClusterAsync(HttpClient http)
    {
        var body = await GetJsonAsync(http, "cluster");
        var manager = body.GetProperty("manager");
        var members = body.GetProperty("members").EnumerateArray()
            .Select(m => new MemberSnapshot(m.GetProperty("node_id").GetString()!, m.GetProperty("status").GetString()!,
                m.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToList(), m.GetProperty("last_heartbeat").GetDateTimeOffset()))
            .ToList();
        return manager.ValueKind == JsonValueKind.Null
            ? new ClusterSnapshot("", members)
            : new ClusterSnapshot(manager.GetProperty("node_id").GetString()!, members);
    }

    /// <summary>Shard and owner of every partition from cluster sharding's stats, keyed by (topic, partition).</summary>
    public static async Task<PartitionMap> GetPartitionsAsync(HttpClient http)
    {
        var body = await GetJsonAsync(http, "cluster/partitions");
        var owners = body.GetProperty("partitions").EnumerateArray().ToDictionary(
            p => (p.GetProperty("topic").GetString()!, p.GetProperty("partition").GetInt32()),
            p => new PartitionOwner(
                p.GetProperty("shard").GetInt32(),
                p.TryGetProperty("owner", out var owner) && owner.ValueKind == JsonValueKind.String ? owner.GetString() : null));
        return new PartitionMap(owners);
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET /{path} answered {(int)response.StatusCode}: {text}");
        }
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
