using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Queue.Core.Cluster;
using Queue.Core.Configuration;
using Queue.Core.Edge;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Node.Catalogue;
using Queue.Node.Hosting;
using Queue.Node.Partitions;
using Queue.Node.Tests.Persistence;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.Node.Tests.Cluster;

/// <summary>
/// Several brokers as actor systems named akkaqueue on loopback in this one process, each composed
/// the way <see cref="QueueNodeServiceCollectionExtensions.AddQueueNode"/> composes a broker
/// (cluster, PostgreSQL journal, partition shard region, catalogue singleton), all on one shared
/// database, asked through <see cref="QueueFrontend"/> over <see cref="AkkaQueueBackend"/> — the
/// path the HTTP edge takes. The PostgreSQL lease is left out (queue.cluster.lease.enabled = off)
/// except in the split-brain spec, which is about exactly that: these specs are about membership,
/// sharding and the singleton.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class InProcessClusterSpecs(ITestOutputHelper output)
{
    private static readonly TimeSpan Formation = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Failover = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Three_brokers_form_a_cluster_and_spread_the_partitions_of_a_topic()
    {
        await using var cluster = await InProcessCluster.StartAsync(3, output);
        var topic = "formation-" + Guid.NewGuid().ToString("N")[..8];

        var created = await cluster[0].Frontend.CreateTopicAsync(topic, 6, CancellationToken.None);
        Assert.Equal(6, created.Partitions);

        var producer = await Retry(() => cluster[2].Frontend.RegisterProducerAsync(topic, null, CancellationToken.None), "a producer registers through broker 3");
        for (var p = 0; p < 6; p++)
        {
            var partition = p;
            var result = await Retry(() => cluster[2].Frontend.ProduceAsync(topic, producer.Id, $"m{partition}", partition, null, CancellationToken.None),
                $"a produce to partition {partition} through broker 3 is acknowledged");
            Assert.Equal(partition, result.Partition);
        }

        // The partitions of the topic are entities; their shards live on more than one broker.
        await Eventually.True(async () =>
        {
            var stats = await cluster[0].Region.Ask<ClusterShardingStats>(new GetClusterShardingStats(TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(10));
            var hosting = stats.Regions.Where(r => r.Value.Stats.Values.Sum() > 0).Select(r => r.Key).ToList();
            output.WriteLine($"shards on {hosting.Count} brokers: {string.Join(", ", stats.Regions.Select(r => $"{r.Key.Port}={r.Value.Stats.Count}"))}");
            return hosting.Count > 1;
        }, Formation, "the shards are spread over more than one broker");
    }

    [Fact]
    public async Task After_a_broker_stops_abruptly_every_acknowledged_message_is_read_once_in_order_from_a_survivor()
    {
        const int partitions = 6;
        const int messages = 60;
        await using var cluster = await InProcessCluster.StartAsync(3, output);
        var topic = "downing-" + Guid.NewGuid().ToString("N")[..8];
        await cluster[0].Frontend.CreateTopicAsync(topic, partitions, CancellationToken.None);
        var producer = await Retry(() => cluster[1].Frontend.RegisterProducerAsync(topic, null, CancellationToken.None), "a producer registers");

        var acked = new List<(int Partition, long Offset, string Message)>();
        for (var i = 0; i < messages; i++)
        {
            var message = $"msg-{i}";
            try
            {
                var result = await cluster[1].Frontend.ProduceAsync(topic, producer.Id, message, i % partitions, null, CancellationToken.None);
                acked.Add((result.Partition, result.Offset, message));
            }
            catch (QueueException ex) when (ex.IsRetryable)
            {
                // Not acknowledged: it may or may not be in the log, and is not checked.
                output.WriteLine($"produce {i} not acknowledged: {ex.Message}");
            }
        }
        Assert.True(acked.Count >= messages / 2, $"only {acked.Count} of {messages} produces were acknowledged");

        // The victim: a broker that is not the oldest (the catalogue stays put) and hosts partitions of the topic.
        var victim = await cluster.NonOldestHostingAsync(topic);
        output.WriteLine($"stopping broker {victim.Port} abruptly");
        await cluster.CrashAsync(victim);
        var survivor = cluster.Alive.First();

        // A fresh frontend: nothing cached. Registering an earliest consumer pins it in every
        // partition, so it succeeds only once every partition answers again.
        var frontend = survivor.NewFrontend();
        var consumer = await Retry(() => frontend.RegisterConsumerAsync(topic, null, StartFrom.Earliest, CancellationToken.None),
            "every partition answers again from a survivor", Failover);

        var read = await ReadEverythingAsync(frontend, topic, partitions, consumer.Id);
        output.WriteLine($"{acked.Count} acknowledged, {read.Count} read");
        AssertDenseAndEveryAckReadOnce(read, acked);
    }

    [Fact]
    public async Task A_broker_leaving_under_produce_load_hands_its_partitions_off_without_losing_or_doubling_a_message()
    {
        const int partitions = 6;
        await using var cluster = await InProcessCluster.StartAsync(3, output);
        var topic = "handoff-" + Guid.NewGuid().ToString("N")[..8];
        await cluster[0].Frontend.CreateTopicAsync(topic, partitions, CancellationToken.None);
        // Producing goes through the oldest broker, which never leaves here.
        var stayer = cluster.Oldest();
        var producer = await Retry(() => stayer.Frontend.RegisterProducerAsync(topic, null, CancellationToken.None), "a producer registers");

        // Producers through a broker that stays, one per partition, until told to stop; each
        // records what was acknowledged (an unacknowledged produce may or may not be stored).
        var acked = new System.Collections.Concurrent.ConcurrentQueue<(int Partition, long Offset, string Message)>();
        using var stop = new CancellationTokenSource();
        var producers = Enumerable.Range(0, partitions).Select(p => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var message = $"p{p}-{n}";
                try
                {
                    var result = await stayer.Frontend.ProduceAsync(topic, producer.Id, message, p, null, CancellationToken.None);
                    acked.Enqueue((result.Partition, result.Offset, message));
                }
                catch (QueueException ex) when (ex.IsRetryable)
                {
                    await Task.Delay(20);
                }
            }
        })).ToList();
        await Eventually.True(() => acked.Count >= 100, Formation, "100 messages are acknowledged before the leave");
        // Partitions start on their first request, so only now is it known who hosts what.
        var leaver = await cluster.NonOldestHostingAsync(topic);

        output.WriteLine($"broker {leaver.Port} leaves under load");
        await cluster.LeaveAsync(leaver);
        var atLeave = acked.Count;
        await Eventually.True(() => acked.Count >= atLeave + 100, Failover, "100 more messages are acknowledged after the hand-off");
        await stop.CancelAsync();
        await Task.WhenAll(producers);

        var read = await ReadEverythingAsync(stayer.NewFrontend(), topic, partitions);
        output.WriteLine($"{acked.Count} acknowledged, {read.Count} read");
        AssertDenseAndEveryAckReadOnce(read, acked);
    }

    [Fact]
    public async Task When_the_oldest_broker_leaves_the_catalogue_answers_from_another_and_never_reuses_an_id()
    {
        await using var cluster = await InProcessCluster.StartAsync(3, output);
        var topic = "singleton-" + Guid.NewGuid().ToString("N")[..8];
        await cluster[1].Frontend.CreateTopicAsync(topic, 3, CancellationToken.None);
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await Retry(() => cluster[1].Frontend.RegisterProducerAsync(topic, null, CancellationToken.None), "a producer registers")).Id);
        }

        // The singleton runs on the oldest broker, the first seed.
        var oldest = cluster.Oldest();
        Assert.Same(cluster[0], oldest);
        var singleton = await oldest.System.ActorSelection($"/user/{QueueCluster.CatalogueSingleton}/*").ResolveOne(TimeSpan.FromSeconds(10));
        Assert.NotNull(singleton);

        output.WriteLine($"broker {oldest.Port} leaves");
        await cluster.LeaveAsync(oldest);

        // The new oldest takes the singleton over; ask from the other survivor, through its proxy.
        var newHost = cluster.Oldest();
        var asker = cluster.Alive.Single(b => b != newHost);
        var frontend = asker.NewFrontend();
        var again = await Retry(() => frontend.GetTopicAsync(topic, CancellationToken.None), "the catalogue answers from another broker", Failover);
        Assert.Equal(new TopicInfo(topic, 3, new RetentionPolicy(0, 0, 1)), again);
        var next = await Retry(() => frontend.RegisterProducerAsync(topic, null, CancellationToken.None), "a producer registers after the move", Failover);
        Assert.True(next.Id > ids.Max(), $"producer id {next.Id} after the move is not above {ids.Max()}");
        var hosting = await newHost.System.ActorSelection($"/user/{QueueCluster.CatalogueSingleton}/*").ResolveOne(TimeSpan.FromSeconds(10));
        Assert.NotNull(hosting);
    }

    [Fact]
    public async Task A_broker_whose_process_is_gone_is_downed_by_crash_downing_without_waiting_for_the_failure_detector()
    {
        // A failure detector that would take over a minute to suspect anyone: if the crashed
        // broker is removed within this spec's bounds, crash-downing did it, and the survivors'
        // event streams say so.
        await using var cluster = await InProcessCluster.StartAsync(3, output,
            "akka.cluster.failure-detector.acceptable-heartbeat-pause = 120s");
        var topic = "crash-" + Guid.NewGuid().ToString("N")[..8];
        await cluster[0].Frontend.CreateTopicAsync(topic, 6, CancellationToken.None);
        var producer = await Retry(() => cluster[0].Frontend.RegisterProducerAsync(topic, null, CancellationToken.None), "a producer registers");
        for (var p = 0; p < 6; p++)
        {
            var partition = p;
            await Retry(() => cluster[0].Frontend.ProduceAsync(topic, producer.Id, $"before-{partition}", partition, null, CancellationToken.None), $"partition {partition} serves");
        }
        var victim = await cluster.NonOldestHostingAsync(topic);
        var victimAddress = victim.Cluster.SelfUniqueAddress;
        var downed = new System.Collections.Concurrent.ConcurrentQueue<CrashDowning.DownedAsGone>();
        foreach (var survivor in cluster.Alive.Where(b => b != victim))
        {
            var collector = survivor.System.ActorOf(Props.Create(() => new Collector<CrashDowning.DownedAsGone>(downed)));
            survivor.System.EventStream.Subscribe(collector, typeof(CrashDowning.DownedAsGone));
        }

        output.WriteLine($"stopping broker {victim.Port} abruptly");
        await cluster.CrashAsync(victim);

        Assert.Contains(downed, d => d.Member == victimAddress);
        // Its partitions serve again from the survivors, with what was acknowledged before.
        var frontend = cluster.Alive[0].NewFrontend();
        var consumer = await Retry(() => frontend.RegisterConsumerAsync(topic, null, StartFrom.Earliest, CancellationToken.None),
            "every partition answers again from a survivor", Failover);
        for (var p = 0; p < 6; p++)
        {
            var next = await frontend.ConsumeAsync(topic, consumer.Id, p, CancellationToken.None);
            Assert.Equal($"before-{p}", next.Message.Payload);
        }
    }

    [Fact]
    public async Task A_partition_that_moves_to_another_broker_keeps_applying_its_topics_retention()
    {
        // The policy lives in the catalogue only: the partition's new owner must learn it there
        // (at start) and go on letting old messages go, with the log start it recovered.
        await using var cluster = await InProcessCluster.StartAsync(3, output);
        var topic = "kept-" + Guid.NewGuid().ToString("N")[..8];
        await cluster[0].Frontend.CreateTopicAsync(topic, 1, CancellationToken.None, retentionMessages: 10);
        var producer = await Retry(() => cluster[0].Frontend.RegisterProducerAsync(topic, null, CancellationToken.None), "a producer registers");
        async Task ProduceAsync(QueueFrontend frontend, int count, string prefix)
        {
            for (var i = 0; i < count; i++)
            {
                await Retry(() => frontend.ProduceAsync(topic, producer.Id, $"{prefix}-{i}", 0, null, CancellationToken.None), "partition 0 serves", Failover);
            }
        }
        async Task<PartitionState> StateAsync(QueueFrontend frontend)
        {
            var info = await frontend.DescribeTopicAsync(topic, CancellationToken.None);
            return (await frontend.DescribePartitionsAsync(info, CancellationToken.None)).Single();
        }

        await ProduceAsync(cluster[0].Frontend, 50, "first");
        await Eventually.True(async () => (await StateAsync(cluster[0].Frontend)).LogStart == 40, Failover,
            "the first owner lets go of all but the newest 10 of 50");

        Broker? owner = null;
        foreach (var broker in cluster.Alive)
        {
            var hosted = await broker.Region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
            if (hosted.Shards.SelectMany(sh => sh.EntityIds).Any(e => PartitionMessageExtractor.PartitionOf(e).Topic == topic))
            {
                owner = broker;
            }
        }
        Assert.NotNull(owner);
        output.WriteLine($"crashing broker {owner.Port}, owner of the partition");
        await cluster.CrashAsync(owner);

        var frontend = cluster.Alive[0].NewFrontend();
        await ProduceAsync(frontend, 50, "second");
        PartitionState? state = null;
        await Eventually.True(async () => (state = await StateAsync(frontend)) is { LogStart: 90, HighWatermark: 100 }, Failover,
            "the new owner lets go of all but the newest 10 of 100");
        var consumer = await Retry(() => frontend.RegisterConsumerAsync(topic, null, StartFrom.Earliest, CancellationToken.None), "a consumer registers");
        var first = await Retry(() => frontend.ConsumeAsync(topic, consumer.Id, 0, CancellationToken.None), "the partition serves");
        Assert.Equal("second-40", first.Message.Payload);
    }

    [Fact]
    public async Task Two_clusters_on_one_database_never_both_write_a_partition_the_shard_lease_admits_one_at_a_time()
    {
        // The worst split brain: two clusters that do not know of each other (two one-node
        // clusters here) on the same database. Sharding in each would happily host the same
        // partition; the shard's PostgreSQL lease must let only one of them write.
        var server = await PostgresServer.SharedAsync();
        var database = await server.CreateDatabaseAsync("splitbrain");
        var topic = "split-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var portA = FreePort.Next();
            await using var a = await Broker.StartAsync(portA, portA, database, lease: true);
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(i, await AppendedAsync(a, topic, new ProducerSequence(1, i + 1), Formation));
            }

            var portB = FreePort.Next();
            await using var b = await Broker.StartAsync(portB, portB, database, lease: true);
            await Eventually.True(() => b.Cluster.SelfMember.Status == MemberStatus.Up, Formation, "the second cluster is up");
            // While A holds the partition's shard lease, B's copy of the shard cannot start: B
            // acknowledges nothing, however often it is asked, and A goes on writing.
            for (var attempt = 0; attempt < 3; attempt++)
            {
                Assert.Null(await TryAppendAsync(b, topic, new ProducerSequence(2, attempt + 1), TimeSpan.FromSeconds(3)));
                Assert.Equal(5 + attempt, await AppendedAsync(a, topic, new ProducerSequence(1, 6 + attempt), Formation));
            }

            // A stops (and gives its leases back): now B may write, after everything A wrote.
            // (B's refused attempts were buffered while it waited for the lease; their callers'
            // deadlines have passed, so the partition drops them instead of writing them.)
            await a.DisposeAsync();
            Assert.Equal(8, await AppendedAsync(b, topic, new ProducerSequence(2, 10), Failover));
        }
        finally
        {
            await server.DropDatabaseAsync(database);
        }
    }

    /// <summary>
    /// Appends one message until it is acknowledged and returns its offset. Idempotent (a producer
    /// sequence), so an attempt whose answer was lost is answered with its original offset.
    /// </summary>
    private static async Task<long> AppendedAsync(Broker broker, string topic, ProducerSequence sequence, TimeSpan within)
    {
        MessagesAppended? appended = null;
        await Eventually.True(async () => (appended = await TryAppendAsync(broker, topic, sequence, TimeSpan.FromSeconds(5))) is not null,
            within, $"message {sequence} is acknowledged by broker {broker.Port}");
        return appended!.FirstOffset;
    }

    /// <summary>One message to partition 0, straight to the broker's shard region; null for no answer or a failure.</summary>
    private static async Task<MessagesAppended?> TryAppendAsync(Broker broker, string topic, ProducerSequence sequence, TimeSpan wait)
    {
        var append = new AppendMessages([new ProduceItem($"{sequence.ProducerId}-{sequence.Sequence}", sequence.ProducerId)], sequence);
        try
        {
            return await broker.Region.Ask<object>(new PartitionEnvelope(topic, 0, append, (DateTime.UtcNow + wait).Ticks), wait) as MessagesAppended;
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    /// <summary>Puts every <typeparamref name="T"/> it is sent into a queue the spec reads.</summary>
    private sealed class Collector<T> : ReceiveActor
    {
        public Collector(System.Collections.Concurrent.ConcurrentQueue<T> into) => Receive<T>(into.Enqueue);
    }

    /// <summary>Every message of the topic, per partition in the order a fresh earliest consumer reads them.</summary>
    private async Task<List<(int Partition, StoredMessage Message)>> ReadEverythingAsync(QueueFrontend frontend, string topic, int partitions, long? consumerId = null)
    {
        var consumer = consumerId ?? (await Retry(() => frontend.RegisterConsumerAsync(topic, null, StartFrom.Earliest, CancellationToken.None),
            "every partition answers", Failover)).Id;
        var read = new List<(int Partition, StoredMessage Message)>();
        for (var p = 0; p < partitions; p++)
        {
            while (true)
            {
                try
                {
                    var next = await frontend.ConsumeAsync(topic, consumer, p, CancellationToken.None);
                    read.Add((next.Partition, next.Message));
                }
                catch (QueueException ex) when (ex.Kind == QueueErrorKind.Empty)
                {
                    break;
                }
                catch (QueueException ex) when (ex.IsRetryable)
                {
                    // A timed-out consume is handed back by the frontend, so asking again is safe.
                    output.WriteLine($"retrying a consume of partition {p}: {ex.Message}");
                    await Task.Delay(100);
                }
            }
        }
        return read;
    }

    /// <summary>Per partition, offsets dense from 0; every acknowledged message read exactly once, at the offset its acknowledgement named.</summary>
    private static void AssertDenseAndEveryAckReadOnce(List<(int Partition, StoredMessage Message)> read, IEnumerable<(int Partition, long Offset, string Message)> acked)
    {
        foreach (var group in read.GroupBy(r => r.Partition))
        {
            Assert.Equal(Enumerable.Range(0, group.Count()).Select(i => (long)i), group.Select(r => r.Message.Offset));
        }
        var byPayload = read.GroupBy(r => r.Message.Payload).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (partition, offset, message) in acked)
        {
            var single = Assert.Single(byPayload.GetValueOrDefault(message) ?? []);
            Assert.Equal(partition, single.Partition);
            Assert.Equal(offset, single.Message.Offset);
        }
    }

    /// <summary>Retries a request that the cluster may refuse while it settles (timeouts, unavailable).</summary>
    private async Task<T> Retry<T>(Func<Task<T>> request, string because, TimeSpan? timeout = null)
    {
        T? result = default;
        await Eventually.True(async () =>
        {
            try
            {
                result = await request();
                return true;
            }
            catch (QueueException ex) when (ex.IsRetryable)
            {
                output.WriteLine($"retrying ({because}): {ex.Message}");
                return false;
            }
        }, timeout ?? Formation, because);
        return result!;
    }

    /// <summary>One broker: its host, actor system, partition region, catalogue proxy and a frontend over them.</summary>
    private sealed class Broker : IAsyncDisposable
    {
        private bool _stopped;

        private Broker(IHost host, int port)
        {
            Host = host;
            Port = port;
            System = host.Services.GetRequiredService<ActorSystem>();
            var registry = host.Services.GetRequiredService<ActorRegistry>();
            Region = registry.Get<QueueCluster.PartitionsKey>();
            Catalogue = registry.Get<QueueCluster.CatalogueKey>();
            Frontend = NewFrontend();
        }

        public IHost Host { get; }

        public int Port { get; }

        public ActorSystem System { get; }

        public IActorRef Region { get; }

        public IActorRef Catalogue { get; }

        public QueueFrontend Frontend { get; }

        public Akka.Cluster.Cluster Cluster => Akka.Cluster.Cluster.Get(System);

        public QueueFrontend NewFrontend() =>
            new(new AkkaQueueBackend(Region, Catalogue, 1000, TimeSpan.FromSeconds(1)), new LimitSettings(), TimeSpan.FromSeconds(10));

        public static async Task<Broker> StartAsync(int port, int seedPort, string connectionString, string? extraHocon = null, bool lease = false)
        {
            var settings = new QueueSettings
            {
                Node = new NodeSettings
                {
                    NodeId = $"inproc-{port}",
                    Host = "127.0.0.1",
                    Port = port,
                    Roles = [QueueCluster.BrokerRole],
                    SeedNodes = [$"127.0.0.1:{seedPort}"],
                    InsecureDev = true,
                },
                Journal = new JournalSettings { Kind = JournalKind.Postgres, Postgres = connectionString },
                Cluster = new Queue.Core.Configuration.ClusterSettings { LeaseEnabled = lease },
            };
            var host = new HostBuilder()
                .ConfigureServices(services => services.AddAkka(QueueCluster.SystemName, (akka, _) => ConfigureBroker(akka, settings, extraHocon)))
                .Build();
            await host.StartAsync();
            return new Broker(host, port);
        }

        /// <summary>What AddQueueNode does for a broker with a PostgreSQL journal, HTTP left out (and the lease unless asked for).</summary>
        private static void ConfigureBroker(AkkaConfigurationBuilder akka, QueueSettings settings, string? extraHocon)
        {
            if (extraHocon is not null)
            {
                akka.AddHocon(extraHocon, HoconAddMode.Prepend);
            }
            akka.ConfigureLoggers(loggers => loggers.LogLevel = Akka.Event.LogLevel.WarningLevel);
            akka.WithQueueCluster(settings, settings.Node.Roles);
            akka.AddHocon(JournalHocon.For(settings.Journal, $"akkaqueue-{Guid.NewGuid():N}"), HoconAddMode.Prepend);
            // A crash-like stop (see CrashAsync) terminates the system without leaving the cluster.
            akka.AddHocon("akka.coordinated-shutdown.run-by-actor-system-terminate = off", HoconAddMode.Prepend);
            akka.WithQueueBroker(settings);
        }

        /// <summary>Terminates the actor system without leaving the cluster: the others must notice, down it and move its shards.</summary>
        public async Task CrashAsync()
        {
            _stopped = true;
            await System.Terminate();
            Host.Dispose();
        }

        /// <summary>Leaves the cluster gracefully, then stops.</summary>
        public async Task LeaveAsync()
        {
            await Cluster.LeaveAsync();
            await StopAsync();
        }

        private async Task StopAsync()
        {
            if (_stopped)
            {
                return;
            }
            _stopped = true;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await Host.StopAsync(timeout.Token);
            }
            finally
            {
                await System.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
                Host.Dispose();
            }
        }

        public async ValueTask DisposeAsync() => await StopAsync();
    }

    /// <summary>Brokers on one fresh database; the first is the seed of all.</summary>
    private sealed class InProcessCluster : IAsyncDisposable
    {
        private readonly List<Broker> _brokers = [];
        private readonly PostgresServer _server;
        private readonly string _database;

        private InProcessCluster(PostgresServer server, string database)
        {
            _server = server;
            _database = database;
        }

        public Broker this[int index] => _brokers[index];

        public List<Broker> Alive { get; } = [];

        public static async Task<InProcessCluster> StartAsync(int count, ITestOutputHelper output, string? extraHocon = null)
        {
            var server = await PostgresServer.SharedAsync();
            var cluster = new InProcessCluster(server, await server.CreateDatabaseAsync("inproc"));
            try
            {
                var seedPort = FreePort.Next();
                cluster.Add(await Broker.StartAsync(seedPort, seedPort, cluster._database, extraHocon));
                // The first broker alone creates the journal's tables (its catalogue recovers and
                // writes), so the others never race it to auto-initialize the schema.
                await cluster.AwaitUpAsync(1);
                await Eventually.True(async () => (await cluster[0].Frontend.ListTopicsAsync(CancellationToken.None)) is not null,
                    Formation, "the first broker's catalogue answers");
                for (var i = 1; i < count; i++)
                {
                    cluster.Add(await Broker.StartAsync(FreePort.Next(), seedPort, cluster._database, extraHocon));
                }
                await cluster.AwaitUpAsync(count);
                // Every broker's region is known to the coordinator, so new shards are spread.
                await Eventually.True(async () =>
                {
                    var stats = await cluster[0].Region.Ask<ClusterShardingStats>(new GetClusterShardingStats(TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(10));
                    return stats.Regions.Count == count;
                }, Formation, $"the coordinator knows all {count} shard regions");
                output.WriteLine($"cluster of {count} up: {string.Join(", ", cluster._brokers.Select(b => b.Port))}");
                return cluster;
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }
        }

        private void Add(Broker broker)
        {
            _brokers.Add(broker);
            Alive.Add(broker);
        }

        /// <summary>Waits until every live broker sees <paramref name="count"/> members, all Up.</summary>
        public Task AwaitUpAsync(int count) => Eventually.True(
            () => Alive.All(b => b.Cluster.State.Members.Count(m => m.Status == MemberStatus.Up) == count && b.Cluster.State.Members.Count == count),
            Formation, $"{count} members are Up on every broker");

        public Broker Oldest()
        {
            var members = Alive[0].Cluster.State.Members.Where(m => m.Status == MemberStatus.Up).ToList();
            var oldest = members.OrderBy(m => m, Member.AgeOrdering).First();
            return Alive.Single(b => b.Cluster.SelfAddress == oldest.Address);
        }

        /// <summary>A broker other than the oldest that hosts at least one partition of <paramref name="topic"/>.</summary>
        public async Task<Broker> NonOldestHostingAsync(string topic)
        {
            var oldest = Oldest();
            Broker? found = null;
            await Eventually.True(async () =>
            {
                foreach (var broker in Alive.Where(b => b != oldest))
                {
                    var state = await broker.Region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
                    if (state.Shards.SelectMany(s => s.EntityIds).Any(e => PartitionMessageExtractor.PartitionOf(e).Topic == topic))
                    {
                        found = broker;
                        return true;
                    }
                }
                return false;
            }, Formation, $"a broker other than the oldest hosts a partition of {topic}");
            return found!;
        }

        public async Task CrashAsync(Broker broker)
        {
            Alive.Remove(broker);
            await broker.CrashAsync();
            // The survivors down it (crash-downing, or the split-brain resolver) and remove it.
            await AwaitUpAsync(Alive.Count);
        }

        public async Task LeaveAsync(Broker broker)
        {
            Alive.Remove(broker);
            await broker.LeaveAsync();
            await AwaitUpAsync(Alive.Count);
        }

        public async ValueTask DisposeAsync()
        {
            // The youngest first, so the oldest (singleton, coordinator) stops last.
            foreach (var broker in Enumerable.Reverse(_brokers))
            {
                await broker.DisposeAsync();
            }
            await _server.DropDatabaseAsync(_database);
        }
    }
}
