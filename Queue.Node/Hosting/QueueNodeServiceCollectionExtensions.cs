using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Queue.Core.Cluster;
using Queue.Core.Configuration;
using Queue.Core.Edge;
using Queue.Core.Journal;
using Queue.Core.Transport;
using Queue.Http;
using Queue.Http.Cluster;
using Queue.Node.Cluster;
using Queue.Node.Partitions;

namespace Queue.Node.Hosting;

/// <summary>Akka.Hosting's counterpart: one call adds a whole node to a host, single or clustered.</summary>
public static class QueueNodeServiceCollectionExtensions
{
    public static IServiceCollection AddQueueNode(this IServiceCollection services, QueueSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton(TimeProvider.System);
        if (settings.IsClustered && !settings.Node.HasRole("broker"))
        {
            return EdgeProgram.AddEdgeNode(services, settings);
        }

        JournalFactory.Register(services, settings);
        services.AddSingleton(sp => new HealthTracker(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(new NodeDescription(settings.Node.NodeId, settings.Node.Roles, settings.Journal.IsPostgres ? "postgres" : "in-memory"));
        if (settings.Journal.IsPostgres)
        {
            services.AddSingleton(sp => new ClusterStore(sp.GetRequiredService<NpgsqlDataSource>(), settings.Journal.WriteTimeout));
        }
        return settings.IsClustered ? AddBroker(services, settings) : AddSingleNode(services, settings);
    }

    private static IServiceCollection AddSingleNode(IServiceCollection services, QueueSettings settings)
    {
        services.AddSingleton(sp => new QueueNode(settings, sp.GetRequiredService<IPartitionJournal>(), StandaloneOwnership.Instance,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService(sp => sp.GetRequiredService<QueueNode>());
        services.AddSingleton(sp => new QueueFrontend(
            sp.GetRequiredService<IMetadataJournal>(),
            sp.GetRequiredService<QueueNode>().Local,
            settings.Limits,
            settings.Http.RequestTimeout,
            settings.Http.MailboxWait,
            sp.GetRequiredService<HealthTracker>()));
        services.AddSingleton<IClusterView>(sp => new StandaloneView(
            sp.GetRequiredService<NodeDescription>(), $"{settings.Node.Host}:{settings.Node.Port}", $"http://{settings.Node.Host}:{settings.Http.Port}",
            sp.GetRequiredService<TimeProvider>()));
        if (settings.Journal.IsPostgres)
        {
            AddHealthToDatabase(services);
        }
        return services;
    }

    private static IServiceCollection AddBroker(IServiceCollection services, QueueSettings settings)
    {
        if (!settings.Journal.IsPostgres)
        {
            throw new InvalidOperationException(
                "a broker in cluster mode needs PostgreSQL (--postgres): the manager lease, members, allocations and every partition live there");
        }
        services.AddSingleton(sp => new ClusterOwnership(sp.GetRequiredService<RoutingTableHolder>(), settings.Node.NodeId));
        services.AddSingleton(sp => new QueueNode(settings, sp.GetRequiredService<IPartitionJournal>(), sp.GetRequiredService<ClusterOwnership>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddClusterCore(
            settings,
            local: sp => sp.GetRequiredService<QueueNode>().Local,
            leaseLookup: sp => sp.GetRequiredService<ClusterStore>().ReadLeaseAsync);
        services.AddSingleton(sp => new ManagerHost(
            selfRef => new ManagerActor(
                ClusterServices.SelfAddress(settings),
                settings.Cluster,
                sp.GetRequiredService<ClusterStore>(),
                sp.GetRequiredService<IMetadataJournal>(),
                new LeastShardAllocationStrategy(),
                sp.GetRequiredService<TransportClientPool>(),
                selfRef,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<ManagerActor>>()),
            settings.Cluster,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ManagerHost>>()));
        services.AddSingleton<INodeMessageHandler>(sp => new BrokerMessageHandler(
            sp.GetRequiredService<QueueNode>(),
            sp.GetRequiredService<ClusterOwnership>(),
            sp.GetRequiredService<RoutingTableHolder>(),
            sp.GetRequiredService<IMetadataJournal>(),
            sp.GetRequiredService<ManagerHost>(),
            sp.GetRequiredService<ClusterStore>(),
            settings));
        services.AddSingleton(sp => new DatabaseProbe(sp.GetRequiredService<NpgsqlDataSource>(), settings.Cluster.HeartbeatInterval, settings.Journal.WriteTimeout));
        services.AddClusterFrontend(settings, localHealth: sp => () => sp.GetRequiredService<DatabaseProbe>().IsHealthy);

        // Start order (stop is the reverse): partitions, the transport port, the manager, then
        // membership — so a graceful stop leaves the cluster (handing shards off through the
        // still-open port) before the manager releases its lease and the partitions drain.
        services.AddHostedService(sp => sp.GetRequiredService<QueueNode>());
        services.AddHostedService(sp => new RoutingWatcher(sp.GetRequiredService<RoutingTableHolder>(), sp.GetRequiredService<QueueNode>(), settings.Node.NodeId));
        services.AddHostedService(sp => sp.GetRequiredService<NodeTransportService>());
        services.AddHostedService(sp => sp.GetRequiredService<ManagerHost>());
        services.AddHostedService(sp => new MembershipService(sp.GetRequiredService<MembershipClient>(), settings.Cluster));
        services.AddHostedService(sp => sp.GetRequiredService<DatabaseProbe>());
        AddHealthToDatabase(services);
        return services;
    }

    private static void AddHealthToDatabase(IServiceCollection services) =>
        services.AddHostedService(sp => new HealthFlushService(
            sp.GetRequiredService<HealthTracker>(),
            (facts, ct) => sp.GetRequiredService<ClusterStore>().RecordHealthAsync(facts, ct),
            TimeSpan.FromSeconds(5),
            sp.GetRequiredService<ILogger<HealthFlushService>>()));
}
