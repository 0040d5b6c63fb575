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
            ? new ClusterSnapshot("", 0, members)
            : new ClusterSnapshot(manager.GetProperty("node_id").GetString()!, manager.GetProperty("epoch").GetInt64(), members);
    }

    /// <summary>Owner and epoch of every partition by this node's routing table, keyed by (topic, partition).</summary>
    public static async Task<PartitionMap> GetPartitionsAsync(HttpClient http)
    {
        var body = await GetJsonAsync(http, "cluster/partitions");
        var owners = body.GetProperty("partitions").EnumerateArray().ToDictionary(
            p => (p.GetProperty("topic").GetString()!, p.GetProperty("partition").GetInt32()),
            p => new PartitionOwner(
                p.GetProperty("shard").GetInt32(),
                p.GetProperty("owner").ValueKind == JsonValueKind.Null ? null : p.GetProperty("owner").GetString(),
                p.GetProperty("epoch").ValueKind == JsonValueKind.Null ? null : p.GetProperty("epoch").GetInt64()));
        return new PartitionMap(body.GetProperty("routing_version").GetInt64(), owners);
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
