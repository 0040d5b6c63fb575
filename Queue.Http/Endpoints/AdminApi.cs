using Akka.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Queue.Core.Cluster;
using Queue.Core.Diagnostics;
using Queue.Core.Edge;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Http.Cluster;
using Queue.Http.Contracts;

namespace Queue.Http.Endpoints;

/// <summary>
/// Admin and health endpoints (design.md §5), all read from Akka's state: /ready (an Up member
/// whose manager answers), /cluster (members, roles, status, reachability, the manager's node,
/// the client health facts the manager holds) and /cluster/partitions (which broker hosts each
/// partition, from sharding's own statistics).
/// </summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ready", async (HttpContext http, ClusterView view, NodeDescription node) =>
        {
            var (ready, detail) = await view.ReadinessAsync(http.RequestAborted);
            if (ready)
            {
                return Results.Json(new ReadyResponse("success", true, node.NodeId, detail), AdminJsonContext.Default.ReadyResponse);
            }
            QueueMetrics.Refused("not_ready");
            return Results.Json(new ReadyResponse("failure", false, node.NodeId, detail), AdminJsonContext.Default.ReadyResponse, statusCode: StatusCodes.Status503ServiceUnavailable);
        });

        app.MapGet("/cluster", (HttpContext http, ClusterView view, NodeDescription node, IQueueBackend backend) => SeedResults.Run(http, async (_, ct) =>
        {
            var state = view.Cluster.State;
            var manager = view.Manager is { } m ? new ManagerView(QueueCluster.NodeIdOf(m), Address(m), 0) : null;
            var now = DateTimeOffset.UtcNow;
            var members = state.Members.Select(member => new MemberView(
                QueueCluster.NodeIdOf(member),
                Address(member),
                QueueCluster.HttpAddressOf(member) ?? "",
                QueueCluster.UserRoles(member),
                view.IsUnreachable(member) ? "unreachable" : member.Status.ToString().ToLowerInvariant(),
                now)).ToList();
            IReadOnlyList<HealthFact> facts;
            try
            {
                facts = (await backend.AskCatalogueAsync(GetHealth.Instance, TimeSpan.FromSeconds(2), ct)).Facts;
            }
            catch (QueueException)
            {
                facts = [];
            }
            var clients = facts.Select(f => new HealthFactView(f.Kind, f.Id, f.LastSeen)).ToList();
            var mode = state.Members.Count > 1 || view.Settings.IsClustered ? "cluster" : "single-node";
            return Results.Json(new ClusterResponse("success", node.NodeId, mode, manager, members, 0, clients), AdminJsonContext.Default.ClusterResponse);
        }));

        app.MapGet("/cluster/partitions", (HttpContext http, ClusterView view, QueueFrontend frontend) => SeedResults.Run(http, async (_, ct) =>
        {
            var owners = await view.ShardOwnersAsync(ct);
            var partitions = new List<PartitionView>();
            foreach (var topic in await frontend.ListTopicInfosAsync(ct))
            {
                for (var p = 0; p < topic.Partitions; p++)
                {
                    var shard = view.ShardOf(new PartitionId(topic.Name, p));
                    partitions.Add(new PartitionView(topic.Name, p, int.Parse(shard, System.Globalization.CultureInfo.InvariantCulture), owners.GetValueOrDefault(shard), null));
                }
            }
            return Results.Json(new ClusterPartitionsResponse("success", 0, view.Settings.Cluster.Shards, partitions), AdminJsonContext.Default.ClusterPartitionsResponse);
        }));

        // Every consumer's position and lag per partition, most behind first: what the console's
        // Consumers page and `akkaqueue lag` show. One consumer whose partitions cannot answer
        // right now is listed with the reason rather than failing the whole list.
        app.MapGet("/cluster/consumers", (HttpContext http, QueueFrontend frontend) => SeedResults.Run(http, async (_, ct) =>
        {
            var consumers = await frontend.ListConsumersAsync(ct);
            var views = await Task.WhenAll(consumers.Select(async c =>
            {
                try
                {
                    var (_, positions) = await frontend.PositionsAsync(c.Id, ct);
                    return new ConsumerLagView(c.Id, c.Topic, c.Partition, positions.Sum(p => p.Lag),
                        positions.Select(p => new ConsumerPositionView(p.Partition, p.Position, p.HighWatermark, p.Lag)).ToList(), null);
                }
                catch (QueueException ex)
                {
                    return new ConsumerLagView(c.Id, c.Topic, c.Partition, null, [], ex.Message);
                }
            }));
            var sorted = views.OrderByDescending(v => v.Lag ?? long.MaxValue).ThenBy(v => v.ConsumerId).ToList();
            return Results.Json(new ConsumersResponse("success", sorted), AdminJsonContext.Default.ConsumersResponse);
        }));
        return app;
    }

    private static string Address(Member member) => $"{member.Address.Host}:{member.Address.Port}";
}
