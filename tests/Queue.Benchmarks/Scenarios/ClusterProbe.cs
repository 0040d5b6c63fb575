using System.Net;
using Queue.Benchmarks.Infrastructure;

namespace Queue.Benchmarks.Scenarios;

/// <summary>
/// Whether this build has cluster mode: a node started with --seed-nodes answers GET /cluster
/// (design.md §5, admin API). Until it does, the cluster scenarios report "not available"
/// rather than a single-node figure under a cluster label.
/// </summary>
public static class ClusterProbe
{
    public const string NotBuilt = "cluster mode not built yet (GET /cluster answered 404)";

    /// <summary>Null when cluster mode is there; otherwise why the cluster scenarios cannot run.</summary>
    public static async Task<string?> WhyNotAvailableAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var database = await context.CreateDatabaseAsync();
        // Stopped with the scenario's other processes, by the context.
        var node = await context.StartNodeAsync(database);
        using var response = await node.Http.GetAsync("cluster", cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? NotBuilt
            : response.IsSuccessStatusCode ? null
            : $"GET /cluster answered {(int)response.StatusCode}";
    }
}
