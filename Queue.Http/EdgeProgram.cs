using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Queue.Core.Cluster;
using Queue.Core.Configuration;
using Queue.Http.Hosting;

namespace Queue.Http;

/// <summary>
/// Entry point of an edge-only node: serves the HTTP API, holds no partitions and no database,
/// joins the cluster through --seed-nodes with the edge role and asks the partitions and the
/// manager through sharding's and the singleton's proxies.
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
        services.AddAkka(QueueCluster.SystemName, (akka, _) =>
        {
            akka.ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            });
            akka.WithQueueCluster(settings, settings.Node.Roles).WithQueueProxies(settings);
        });
        return EdgeHost.AddQueueFrontend(services, settings);
    }
}
