using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Queue.Core.Actors;
using Queue.Core.Cluster;
using Queue.Core.Configuration;
using Queue.Core.Edge;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Core.Transport;

namespace Queue.Http.Cluster;

/// <summary>What every clustered node has, broker or edge: transport, routing table, membership, router.</summary>
public static class ClusterServices
{
    /// <summary>This node as it introduces itself to the cluster.</summary>
    public static MemberAddress SelfAddress(QueueSettings settings) => new(
        settings.Node.NodeId, $"{settings.Node.Host}:{settings.Node.Port}", $"http://{settings.Node.Host}:{settings.Http.Port}", settings.Node.Roles);

    /// <summary>
    /// Registers the cluster client parts. Hosted services are left to the caller, whose order
    /// matters: transport first, the manager (brokers), then membership.
    /// </summary>
    /// <param name="local">Brokers: the local partition actors; edges: null.</param>
    /// <param name="leaseLookup">Brokers: read the manager from the lease row; edges: null (they ask the seed nodes).</param>
    public static IServiceCollection AddClusterCore(
        this IServiceCollection services,
        QueueSettings settings,
        Func<IServiceProvider, Func<PartitionId, IActorRef>>? local,
        Func<IServiceProvider, Func<CancellationToken, Task<ManagerInfo>>>? leaseLookup)
    {
        if (settings.Node.ClusterSecret.Length == 0 && !settings.Node.InsecureDev)
        {
            throw new InvalidOperationException(
                "cluster mode needs a shared secret: set --cluster-secret (or QUEUE_CLUSTER_SECRET) on every node; for local experiments only, queue.node.insecure-dev = on");
        }
        services.AddSingleton(settings.Cluster);
        services.AddSingleton(_ => MessageCodec.CreateDefault());
        services.AddSingleton(_ => TransportOptions.FromSettings(settings).Validate());
        services.AddSingleton(sp => new TransportClientPool(sp.GetRequiredService<TransportOptions>(), sp.GetRequiredService<MessageCodec>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<RoutingTableHolder>();
        services.AddSingleton(sp => new MembershipClient(
            SelfAddress(settings),
            settings.Node.SeedNodes,
            leaseLookup?.Invoke(sp),
            sp.GetRequiredService<RoutingTableHolder>(),
            sp.GetRequiredService<TransportClientPool>(),
            settings.Cluster.HeartbeatInterval,
            settings.Transport.RequestTimeout,
            sp.GetRequiredService<ILogger<MembershipClient>>()));
        services.AddSingleton<IRoutingRefresher>(sp => sp.GetRequiredService<MembershipClient>());
        services.AddSingleton(sp => new ClusterRouter(
            sp.GetRequiredService<RoutingTableHolder>(),
            sp.GetRequiredService<TransportClientPool>(),
            settings.Node.NodeId,
            local?.Invoke(sp),
            settings.Http.RequestTimeout));
        services.AddSingleton<INodeMessageHandler, EdgeMessageHandler>();
        services.AddSingleton<NodeTransportService>();
        return services;
    }

    /// <summary>
    /// The request logic and admin view of a clustered node: the frontend routes through the
    /// table and retries moved partitions on their new owner. Needs an <see cref="IMetadataJournal"/>
    /// (brokers: the database; edges: <see cref="RemoteCatalog"/>) and a <see cref="HealthTracker"/>.
    /// </summary>
    /// <param name="localHealth">Brokers: whether their database answers, for /ready.</param>
    public static IServiceCollection AddClusterFrontend(this IServiceCollection services, QueueSettings settings, Func<IServiceProvider, Func<bool>>? localHealth)
    {
        services.AddSingleton(sp => new QueueFrontend(
            sp.GetRequiredService<IMetadataJournal>(),
            sp.GetRequiredService<ClusterRouter>().Route,
            settings.Limits,
            settings.Http.RequestTimeout,
            settings.Http.MailboxWait,
            sp.GetRequiredService<HealthTracker>(),
            sp.GetRequiredService<IRoutingRefresher>()));
        services.AddSingleton<IClusterView>(sp => new ClusterView(
            sp.GetRequiredService<MembershipClient>(), sp.GetRequiredService<RoutingTableHolder>(), sp.GetRequiredService<TransportClientPool>(), settings,
            localHealth?.Invoke(sp)));
        return services;
    }
}
