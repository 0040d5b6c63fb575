using System.Net;
using Queue.Testing;

namespace Queue.Benchmarks.Scenarios;

/// <summary>
/// Whether this build has cluster mode: a node of a cluster answers GET /cluster
/// (design.md §5, admin API). Until it does, the cluster scenarios report "not available"
/// rather than a single-node figure under a cluster label.
/// </summary>
public static class ClusterProbe
{
    public const string NotBuilt = "cluster mode not built yet (GET /cluster answered 404)";

    /// <summary>
    /// Null when cluster mode is there; otherwise why the cluster scenarios cannot run. Asks a node
    /// the scenario has already started (its cluster's edge), so the probe costs no extra process.
    /// </summary>
    public static async Task<string?> WhyNotAvailableAsync(NodeProcess node, CancellationToken cancellationToken)
    {
        using var response = await node.Http.GetAsync("cluster", cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? NotBuilt
            : response.IsSuccessStatusCode ? null
            : $"GET /cluster answered {(int)response.StatusCode}";
    }
}
