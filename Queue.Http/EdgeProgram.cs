using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Queue.Core.Cluster;
using Queue.Core.Configuration;
using Queue.Core.Edge;
using Queue.Core.Journal;
using Queue.Core.Protocol;
using Queue.Core.Transport;
using Queue.Http.Cluster;
using Queue.Http.Hosting;

namespace Queue.Http;

/// <summary>
/// Entry point of an edge-only node: serves the HTTP API, holds no partitions and no database,
/// joins the cluster through --seed-nodes and forwards every request to the partition's owner.
/// </summary>
public static class EdgeProgram
{
    public static async Task<int> Main(string[] args)
    {
        var (settings, exitCode) = EdgeHost.ReadSettings("Queue.Http", "an edge-only AkkaQueue node (HTTP API, no partitions)", args);
        if (settings is null)
        {
            return exitCode;
        }
        // An edge holds nothing itself: it is always edge-only, and it needs a cluster to serve.
        settings = settings with { Node = settings.Node with { Roles = ["edge"] } };
        if (!settings.IsClustered)
        {
            await Console.Error.WriteLineAsync("Queue.Http: an edge-only node needs a cluster to forward to: give --seed-nodes host:port,... of brokers. " +
                "For a complete single node, run `dotnet run --project Queue.Node`.");
            return 2;
        }

        Microsoft.AspNetCore.Builder.WebApplication app;
        try
        {
            var builder = EdgeHost.CreateBuilder(settings, null);
            AddEdgeNode(builder.Services, settings);
            app = builder.Build();
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync($"Queue.Http: {ex.Message}");
            return 2;
        }
        await using var _ = app;
        EdgeHost.MapEndpoints(app, settings);
        return await EdgeHost.RunAsync(app, settings, "none (edge-only)");
    }

    /// <summary>The services of an edge-only node; public so tests can host one in-process.</summary>
    public static IServiceCollection AddEdgeNode(IServiceCollection services, QueueSettings settings)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddClusterCore(settings, local: null, leaseLookup: null);
        services.AddSingleton<IMetadataJournal>(sp => new RemoteCatalog(
            sp.GetRequiredService<RoutingTableHolder>(), settings.Node.SeedNodes, sp.GetRequiredService<TransportClientPool>(), settings.Transport.RequestTimeout));
        services.AddSingleton(sp => new HealthTracker(sp.GetRequiredService<TimeProvider>()));
        services.AddClusterFrontend(settings, localHealth: null);
        services.AddSingleton(new NodeDescription(settings.Node.NodeId, settings.Node.Roles, "none"));
        services.AddHostedService(sp => sp.GetRequiredService<NodeTransportService>());
        services.AddHostedService(sp => new MembershipService(sp.GetRequiredService<MembershipClient>(), settings.Cluster));
        // Edges have no database: their health facts go to a broker, which writes them in one statement.
        services.AddHostedService(sp => new HealthFlushService(
            sp.GetRequiredService<HealthTracker>(),
            (facts, ct) => SendHealthToBrokerAsync(sp, settings, facts, ct),
            TimeSpan.FromSeconds(5),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<HealthFlushService>>()));
        return services;
    }

    private static async Task SendHealthToBrokerAsync(IServiceProvider sp, QueueSettings settings, IReadOnlyList<HealthFact> facts, CancellationToken cancellationToken)
    {
        var routing = sp.GetRequiredService<RoutingTableHolder>().Current;
        var broker = routing.Members.FirstOrDefault(m => m.Roles.Contains("broker"))?.Address ?? settings.Node.SeedNodes[0];
        await sp.GetRequiredService<TransportClientPool>().Get(broker).SendOneWayAsync(new RecordHealth(facts), cancellationToken);
    }
}
