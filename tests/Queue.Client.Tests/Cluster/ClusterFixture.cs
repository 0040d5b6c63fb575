using System.Globalization;
using System.Text.Json;
using Queue.Core.Configuration;
using Queue.Testing;

namespace Queue.Client.Tests.Cluster;

/// <summary>
/// A throwaway PostgreSQL database, three brokers (b1..b3, real Queue.Node processes, seed nodes
/// b1 and b2) and one edge-only node (Queue.Node with role edge, the same code as Queue.Http) for
/// HTTP mode, shared by one test class. The cluster runs without TLS (insecure-dev), so clients
/// join with <see cref="QueueClientOptions.InsecureDev"/>. Every process is stopped on dispose,
/// also after a failed start. A broker a test kills can be started again under the same id and ports.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>
    /// Until the node has an --insecure-dev flag, its environment twin is set instead (harmless
    /// to a node that does not read it: without TLS configured it runs insecure anyway).
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> InsecureEnvironment = new Dictionary<string, string> { ["QUEUE_INSECURE_DEV"] = "on" };

    private readonly List<IAsyncDisposable> _clients = [];
    private readonly NodeProcess?[] _brokers = new NodeProcess?[3];
    private readonly int[] _transportPorts = [FreePort.Next(), FreePort.Next(), FreePort.Next()];
    private readonly int[] _httpPorts = [FreePort.Next(), FreePort.Next(), FreePort.Next()];
    private PostgresServer? _server;
    private string _database = "";
    private int _runs;

    /// <summary>The edge-only node HTTP-mode clients talk to.</summary>
    public NodeProcess Edge { get; private set; } = null!;

    /// <summary>host:port of the three brokers' node transports.</summary>
    public IReadOnlyList<string> BrokerAddresses => _transportPorts.Select(p => $"127.0.0.1:{p}").ToList();

    public async Task InitializeAsync()
    {
        try
        {
            _server = await PostgresServer.SharedAsync();
            _database = await _server.CreateDatabaseAsync("clusterclient");
            // b1 first: it creates the schema; the others then start side by side.
            await StartBrokerAsync(0);
            await Task.WhenAll(StartBrokerAsync(1), StartBrokerAsync(2));
            var edgePort = FreePort.Next();
            Edge = await NodeProcess.StartAsync([.. new[] { "--node-id", "edge1", "--port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
                "--roles", "edge", "--seed-nodes", Seeds }.Concat(InsecureFlag)], edgePort, environment: InsecureEnvironment);
            await WaitReadyAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>A fresh topic prefix per scenario run, so runs never see each other's messages.</summary>
    public string NextTopicPrefix(string what) => $"{what}-{Interlocked.Increment(ref _runs)}-";

    /// <summary>An HTTP-mode client of the edge node.</summary>
    public QueueClient HttpClient() => Track(new QueueClient(Options(QueueClientMode.Http)));

    /// <summary>A cluster-mode client that joins through the brokers' transports.</summary>
    public QueueClient ClusterClient() => Track(new QueueClient(Options(QueueClientMode.Cluster)));

    /// <summary>
    /// Options as an application would configure them. Retries are patient enough to ride out a
    /// failover (the failure detector's down-after of 3 s plus a manager lease of 5 s), which is
    /// a bound on a stuck run, not an expectation of how long anything takes.
    /// </summary>
    public QueueClientOptions Options(QueueClientMode mode) => new()
    {
        Mode = mode,
        BaseAddress = Edge.BaseAddress,
        SeedNodes = [.. BrokerAddresses],
        InsecureDev = true,
        RequestTimeout = TimeSpan.FromSeconds(5),
        MaxRetries = 60,
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        RetryMaxDelay = TimeSpan.FromMilliseconds(500),
    };

    /// <summary>Every node answers /ready (an Up member that can reach the catalogue).</summary>
    public Task WaitReadyAsync() =>
        Eventually.True(async () =>
        {
            foreach (var node in _brokers.Append(Edge))
            {
                if (node is null || !(await node.Http.GetAsync("ready")).IsSuccessStatusCode)
                {
                    return false;
                }
            }
            return true;
        }, TimeSpan.FromSeconds(60), "all three brokers and the edge are ready");

    /// <summary>The node id owning <paramref name="topic"/>'s <paramref name="partition"/>, as the edge's routing table has it.</summary>
    public async Task<string?> OwnerOfAsync(string topic, int partition)
    {
        using var document = JsonDocument.Parse(await Edge.Http.GetStringAsync("cluster/partitions"));
        foreach (var entry in document.RootElement.GetProperty("partitions").EnumerateArray())
        {
            if (entry.GetProperty("topic").GetString() == topic && entry.GetProperty("partition").GetInt32() == partition)
            {
                return entry.TryGetProperty("owner", out var owner) && owner.ValueKind == JsonValueKind.String ? owner.GetString() : null;
            }
        }
        return null;
    }

    /// <summary>The cluster's member list as the edge reports it (GET /cluster).</summary>
    public async Task<JsonElement> MembersAsync()
    {
        using var document = JsonDocument.Parse(await Edge.Http.GetStringAsync("cluster"));
        return document.RootElement.GetProperty("members").Clone();
    }

    /// <summary>SIGKILL to broker <paramref name="nodeId"/> (b1..b3).</summary>
    public async Task KillBrokerAsync(string nodeId)
    {
        var index = IndexOf(nodeId);
        if (_brokers[index] is { } broker)
        {
            await broker.KillAsync();
        }
    }

    /// <summary>Starts every killed broker again under its id and ports, and waits until the cluster is ready.</summary>
    public async Task RestartKilledBrokersAsync()
    {
        for (var i = 0; i < _brokers.Length; i++)
        {
            if (_brokers[i] is { HasExited: true } dead)
            {
                await dead.DisposeAsync();
                _brokers[i] = null;
                await StartBrokerAsync(i);
            }
        }
        await WaitReadyAsync();
    }

    public async Task DisposeAsync()
    {
        // Side by side: a cluster-mode client leaves the cluster on dispose (coordinated shutdown,
        // seconds each), and the clients are independent actor systems.
        await Task.WhenAll(_clients.Select(c => c.DisposeAsync().AsTask()));
        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }
        foreach (var broker in _brokers)
        {
            if (broker is not null)
            {
                await broker.DisposeAsync();
            }
        }
        if (_server is not null && _database.Length > 0)
        {
            await _server.DropDatabaseAsync(_database);
        }
    }

    private string Seeds => $"{BrokerAddresses[0]},{BrokerAddresses[1]}";

    private static int IndexOf(string nodeId) => nodeId switch
    {
        "b1" => 0,
        "b2" => 1,
        "b3" => 2,
        _ => throw new ArgumentException($"no broker {nodeId}", nameof(nodeId)),
    };

    /// <summary>The node flags that are being added in parallel, passed once the node knows them.</summary>
    private static IEnumerable<string> InsecureFlag => HasFlag("--insecure-dev") ? ["--insecure-dev", "on"] : [];

    private static IEnumerable<string> JournalFlag => HasFlag("--journal") ? ["--journal", "postgres"] : [];

    private static bool HasFlag(string name) => CommandLineFlags.All.Any(f => f.Name == name);

    private async Task StartBrokerAsync(int index)
    {
        string[] args =
        [
            "--node-id", $"b{index + 1}",
            "--port", _transportPorts[index].ToString(CultureInfo.InvariantCulture),
            "--roles", "broker,edge",
            "--seed-nodes", Seeds,
            // Without a --journal flag, a connection string is what selects the PostgreSQL journal.
            "--postgres", _database,
            .. JournalFlag,
            .. InsecureFlag,
        ];
        _brokers[index] = await NodeProcess.StartAsync(args, _httpPorts[index], environment: InsecureEnvironment);
    }

    private QueueClient Track(QueueClient client)
    {
        _clients.Add(client);
        return client;
    }
}
