using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Queue.Core.Cluster;
using Queue.Core.Edge;
using Queue.Core.Log;
using Queue.Http.Cluster;
using Queue.Http.Contracts;

namespace Queue.Http.Endpoints;

/// <summary>
/// Admin and health endpoints (design.md §5): /ready (can this node route now?), /cluster
/// (members as the manager sees them, plus the client health facts this node gathered) and
/// /cluster/partitions (owner and epoch of every partition by this node's routing table).
/// </summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ready", (IClusterView view, NodeDescription node) => view.IsReady
            ? Results.Json(new ReadyResponse("success", true, node.NodeId, view.ReadinessDetail), AdminJsonContext.Default.ReadyResponse)
            : Results.Json(new ReadyResponse("failure", false, node.NodeId, view.ReadinessDetail), AdminJsonContext.Default.ReadyResponse, statusCode: StatusCodes.Status503ServiceUnavailable));

        app.MapGet("/cluster", (HttpContext http, IClusterView view, NodeDescription node, QueueFrontend frontend) => SeedResults.Run(http, async (_, ct) =>
        {
            var state = await view.GetStateAsync(ct);
            var manager = state.Manager.NodeId.Length == 0 ? null : new ManagerView(state.Manager.NodeId, state.Manager.Address, state.Manager.Epoch);
            var members = state.Members.Select(m => new MemberView(m.NodeId, m.Address, m.HttpAddress, m.Roles, m.Status.ToString().ToLowerInvariant(), m.LastHeartbeat)).ToList();
            var clients = (frontend.Health?.Snapshot() ?? []).Select(f => new HealthFactView(f.Kind, f.Id, f.LastSeen)).ToList();
            var mode = view is ClusterView ? "cluster" : "single-node";
            return Results.Json(new ClusterResponse("success", node.NodeId, mode, manager, members, state.Table.Version, clients), AdminJsonContext.Default.ClusterResponse);
        }));

        app.MapGet("/cluster/partitions", (HttpContext http, IClusterView view, QueueFrontend frontend) => SeedResults.Run(http, async (_, ct) =>
        {
            var table = view.Routing;
            var byShard = table.Allocations.ToDictionary(a => a.Shard);
            var partitions = new List<PartitionView>();
            foreach (var name in await frontend.ListTopicsAsync(ct))
            {
                var topic = await frontend.GetTopicAsync(name, ct);
                for (var p = 0; p < topic.Partitions; p++)
                {
                    if (view is ClusterView)
                    {
                        var shard = ShardMapping.ShardOf(new PartitionId(name, p), table.ShardCount);
                        var allocation = byShard.GetValueOrDefault(shard);
                        partitions.Add(new PartitionView(name, p, shard, allocation?.Owner, allocation?.Epoch));
                    }
                    else
                    {
                        partitions.Add(new PartitionView(name, p, null, table.Members.FirstOrDefault()?.NodeId, null));
                    }
                }
            }
            return Results.Json(new ClusterPartitionsResponse("success", table.Version, view is ClusterView ? table.ShardCount : null, partitions),
                AdminJsonContext.Default.ClusterPartitionsResponse);
        }));
        return app;
    }
}
