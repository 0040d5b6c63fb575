using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Queue.Core.Cluster;
using Queue.Core.Configuration;
using Queue.Http.Hosting;
using Queue.Node.Catalogue;
using Queue.Node.Coordination;
using Queue.Node.Groups;
using Queue.Node.Partitions;

namespace Queue.Node.Hosting;

/// <summary>
/// The composition root of a node (Akka.Hosting): remoting and cluster, then — on the broker
/// role — persistence, the partition shard region and the catalogue singleton; on edge-only
/// nodes the proxies to both. Reads top to bottom in that order.
/// </summary>
public static class QueueNodeServiceCollectionExtensions
{
    public static IServiceCollection AddQueueNode(this IServiceCollection services, QueueSettings settings)
    {
        var isBroker = settings.Node.HasRole(QueueCluster.BrokerRole);
        var memoryName = $"akkaqueue-{Guid.NewGuid():N}";
        if (isBroker && settings.Journal.Kind == JournalKind.Memory)
        {
            // An in-memory SQLite database lives while a connection to it is open: this one is
            // held for the node's lifetime and closed (dropping the data) when the host disposes.
            var keepAlive = new SqliteConnection(JournalHocon.MemoryConnectionString(memoryName));
            keepAlive.Open();
            services.AddSingleton(keepAlive);
        }
        var journal = isBroker ? JournalHocon.For(settings.Journal, memoryName) : null;

        services.AddAkka(QueueCluster.SystemName, (akka, sp) =>
        {
            akka.ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            });
            akka.WithQueueCluster(settings, settings.Node.Roles);
            if (journal is not null)
            {
                akka.AddHocon(journal, HoconAddMode.Prepend);
                akka.WithQueueBroker(settings);
            }
            else
            {
                akka.WithQueueProxies(settings);
            }
        });
        if (isBroker && settings.Journal.IsPostgres)
        {
            var probe = new JournalProbe(JournalHocon.PostgresConnectionString(settings.Journal), settings.Journal.WriteTimeout);
            services.AddSingleton<Queue.Http.Cluster.IReadinessCheck>(probe);
            services.AddHostedService(_ => probe);
        }
        if (isBroker)
        {
            services.AddSingleton(sp => new JournalWarmup(sp.GetRequiredService<ActorSystem>(), settings.Journal.StartupTimeout,
                sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<JournalWarmup>>()));
            services.AddSingleton<Queue.Http.Cluster.IReadinessCheck>(sp => sp.GetRequiredService<JournalWarmup>());
            services.AddHostedService(sp => sp.GetRequiredService<JournalWarmup>());
        }
        EdgeHost.AddQueueFrontend(services, settings);
        return services;
    }

    /// <summary>
    /// What makes a node a broker: the partition and consumer-group shard regions (entities on the
    /// broker role) and the catalogue singleton (with its proxy). Needs a journal in the configuration.
    /// </summary>
    public static AkkaConfigurationBuilder WithQueueBroker(this AkkaConfigurationBuilder akka, QueueSettings settings)
    {
        if (settings.UsesLease && settings.Journal.IsPostgres)
        {
            // Every shard and the catalogue singleton hold a PostgreSQL lease (docs/lease.md).
            akka.AddHocon(LeaseHocon(settings), HoconAddMode.Prepend);
            if (settings.Cluster.CrashDowning)
            {
                // A member crash-downing proved gone holds nothing: its leases lapse at once.
                var connectionString = JournalHocon.PostgresConnectionString(settings.Journal);
                akka.AddStartup((system, _) => system.ActorOf(
                    GoneOwnerLeases.Props(connectionString, LeaseTable, settings.Cluster.LeaseTtl, settings.Journal.WriteTimeout), GoneOwnerLeases.Name));
            }
        }
        var partitions = settings.Partition;
        var maxWriteBytes = settings.Journal.MaxBatchBytes;
        akka.WithShardRegion<QueueCluster.PartitionsKey>(
            QueueCluster.PartitionRegion,
            entityId => PartitionActor.Props(PartitionMessageExtractor.PartitionOf(entityId), partitions, maxWriteBytes, settings.Retention),
            new PartitionMessageExtractor(settings.Cluster.Shards),
            new ShardOptions
            {
                Role = QueueCluster.BrokerRole,
                StateStoreMode = Akka.Cluster.Sharding.StateStoreMode.DData,
                RememberEntities = false,
                HandOffStopMessage = StopPartition.Instance,
                PassivateIdleEntityAfter = partitions.IdleTimeout,
                ShouldPassivateIdleEntities = true,
            });
        akka.WithShardRegion<QueueCluster.GroupsKey>(
            QueueCluster.GroupRegion,
            group => GroupActor.Props(group, settings.Groups),
            new GroupMessageExtractor(settings.Cluster.Shards),
            new ShardOptions
            {
                Role = QueueCluster.BrokerRole,
                StateStoreMode = Akka.Cluster.Sharding.StateStoreMode.DData,
                RememberEntities = false,
                HandOffStopMessage = StopGroup.Instance,
                PassivateIdleEntityAfter = partitions.IdleTimeout,
                ShouldPassivateIdleEntities = true,
            });
        // The catalogue runs under a back-off supervisor: a failed journal write stops a
        // persistent actor, and a singleton that stopped would otherwise stay gone.
        var catalogue = Akka.Pattern.BackoffSupervisor.Props(Akka.Pattern.Backoff.OnStop(
            Props.Create(() => new CatalogueActor(1000, settings.Retention)), "catalogue", TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), 0.2, -1));
        return akka.WithSingleton<QueueCluster.CatalogueKey>(QueueCluster.CatalogueSingleton, catalogue,
            new ClusterSingletonOptions { Role = QueueCluster.BrokerRole }, createProxyToo: true);
    }

    private const string LeaseTable = "akkaqueue_leases";

    /// <summary>
    /// The PostgreSQL lease (docs/lease.md) for the manager singleton and for every shard, so a
    /// broker cut off from the others cannot keep hosting what they have moved elsewhere.
    /// </summary>
    private static Akka.Configuration.Config LeaseHocon(QueueSettings settings)
    {
        var cluster = settings.Cluster;
        return Akka.Configuration.ConfigurationFactory.ParseString($$"""
            akkaqueue.postgres-lease {
              lease-class = "Queue.Node.Coordination.PostgresLease, Queue.Node"
              heartbeat-timeout = {{(long)cluster.LeaseTtl.TotalMilliseconds}}ms
              heartbeat-interval = {{(long)cluster.LeaseRenewInterval.TotalMilliseconds}}ms
              lease-operation-timeout = {{(long)settings.Journal.WriteTimeout.TotalMilliseconds}}ms
              connection-string = {{QueueCluster.Quote(JournalHocon.PostgresConnectionString(settings.Journal))}}
              table = "{{LeaseTable}}"
            }
            akka.cluster.singleton.use-lease = "akkaqueue.postgres-lease"
            akka.cluster.sharding.use-lease = "akkaqueue.postgres-lease"
            # The shard coordinator is a singleton too, configured by the config path named in
            # coordinator-singleton (Akka's default: akka.cluster.singleton, so it would take the
            # catalogue's lease). It needs none: it writes nothing durable (its state is in
            # distributed data) and two coordinators could at worst both place a shard, which
            # the shard's own lease then refuses to the second host. Without it the coordinator
            # starts as soon as the old oldest is removed instead of after its lease lapses, and
            # placing shards overlaps with their leases lapsing. The other keys are those of
            # akka.cluster.singleton in hocon/akka.conf (the role is sharding's: Akka overrides it).
            akkaqueue.coordinator-singleton {
              singleton-name = "singleton"
              role = ""
              hand-over-retry-interval = 500ms
              min-number-of-hand-over-retries = 15
              use-lease = ""
              lease-retry-interval = 250ms
              consider-app-version = false
            }
            akka.cluster.sharding.coordinator-singleton = "akkaqueue.coordinator-singleton"
            # A new host that finds the dead holder's lease not yet lapsed tries again after this;
            # Akka's 5 s default alone made failover take 10 s. One cheap query per try.
            akka.cluster.singleton.lease-retry-interval = 250ms
            akka.cluster.sharding.lease-retry-interval = 250ms
            # With leases, the lease (not this margin) keeps a downed-but-alive node from writing
            # alongside the new host: it holds its leases until it has stopped its own copies (or,
            # cut off from the database, cannot write anyway, and they lapse). So shards and the
            # singleton may move as soon as the member is removed. Not 0: Akka reads 0 as "use the
            # split-brain resolver's stable-after" (2 s).
            akka.cluster.down-removal-margin = 100ms
            """);
    }
}
