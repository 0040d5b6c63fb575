using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// A cluster of real node processes on one fresh database of the shared throwaway PostgreSQL:
/// brokers (Queue.Node.dll, roles broker+edge, PostgreSQL journal) and edge-only nodes
/// (Queue.Http.dll), all with --insecure-dev on (no TLS certificates in tests) and the same Akka
/// seed nodes (the remote ports of the first brokers, reserved up front so every node can be told
/// them before they exist). Disposing kills every process it
/// started, by pid, and drops the database; the tail of each node's log goes to the test output
/// so a failure can be read without re-running.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ClusterNode> _nodes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ClusterNode> _previousIncarnations = new();
    private readonly List<int> _seedPorts;
    private readonly ITestOutputHelper _output;
    private readonly PostgresServer _server;
    private readonly string? _configFile;

    private TestCluster(PostgresServer server, string connectionString, int seeds, string? config, ITestOutputHelper output)
    {
        _server = server;
        ConnectionString = connectionString;
        _output = output;
        _seedPorts = Enumerable.Range(0, seeds).Select(_ => FreePort.Next()).ToList();
        if (config is not null)
        {
            _configFile = Path.Combine(Path.GetTempPath(), $"akkaqueue-multinode-{Guid.NewGuid():N}.conf");
            File.WriteAllText(_configFile, config);
        }
    }

    public string ConnectionString { get; }

    /// <summary>host:port of the seed brokers, as given to every node.</summary>
    public string SeedNodes => string.Join(',', _seedPorts.Select(p => $"127.0.0.1:{p}"));

    public IReadOnlyCollection<ClusterNode> Nodes => _nodes.Values.OrderBy(n => n.NodeId, StringComparer.Ordinal).ToList();

    public IEnumerable<ClusterNode> LiveNodes => Nodes.Where(n => n.IsAlive);

    public IEnumerable<ClusterNode> LiveBrokers => LiveNodes.Where(n => n.IsBroker);

    public ClusterNode this[string nodeId] => _nodes[nodeId];

    /// <param name="seeds">How many of the first brokers started are seed nodes.</param>
    /// <param name="config">HOCON for a --config file (e.g. shorter cluster timings); null = the defaults.</param>
    public static async Task<TestCluster> CreateAsync(ITestOutputHelper output, int seeds = 2, string? config = null)
    {
        var server = await PostgresServer.SharedAsync();
        var connectionString = await server.CreateDatabaseAsync("multinode");
        return new TestCluster(server, connectionString, seeds, config, output);
    }

    /// <summary>Starts a broker (broker+edge); the first <c>seeds</c> brokers take the reserved seed ports.</summary>
    public async Task<ClusterNode> StartBrokerAsync(string nodeId, string? postgres = null)
    {
        var brokers = _nodes.Values.Count(n => n.IsBroker);
        var port = brokers < _seedPorts.Count ? _seedPorts[brokers] : FreePort.Next();
        var process = await NodeProcess.StartAsync(
            [.. CommonArgs(nodeId, port), .. BrokerArgs(postgres)], readyTimeout: StartTimeout);
        return Add(new ClusterNode(nodeId, port, isBroker: true, process));
    }

    /// <summary>Starts an edge-only node (Queue.Http.dll): no partitions, no database.</summary>
    public async Task<ClusterNode> StartEdgeAsync(string nodeId)
    {
        var port = FreePort.Next();
        var process = await NodeProcess.StartAsync(CommonArgs(nodeId, port), program: "Queue.Http.dll", readyTimeout: StartTimeout);
        return Add(new ClusterNode(nodeId, port, isBroker: false, process));
    }

    /// <summary>Starts all <paramref name="brokerIds"/> at once (they find each other through the seeds), then the edges.</summary>
    public async Task StartAsync(IEnumerable<string> brokerIds, IEnumerable<string>? edgeIds = null)
    {
        // Akka's first-seed rule: only the first seed may join itself, so it must be up (and a
        // member) before anyone else joins; then the other nodes join it. Seed ports go to the
        // first brokers in order, so those start in order too.
        var ids = brokerIds.ToList();
        if (ids.Count > 0)
        {
            var first = await StartBrokerAsync(ids[0]);
            await Eventually.True(() => Admin.IsReadyAsync(first.Http), FormTimeout, $"{first.NodeId} (the first seed) is ready");
        }
        foreach (var id in ids.Skip(1).Take(_seedPorts.Count - 1))
        {
            await StartBrokerAsync(id);
        }
        await Task.WhenAll(ids.Skip(Math.Max(1, _seedPorts.Count)).Select(id => StartBrokerAsync(id)));
        await Task.WhenAll((edgeIds ?? []).Select(id => StartEdgeAsync(id)));
    }

    /// <summary>Starts a killed broker again: same node id, transport and HTTP ports, database and secret.</summary>
    public async Task<ClusterNode> RestartBrokerAsync(string nodeId)
    {
        var old = _nodes[nodeId];
        if (!old.Process.HasExited || !old.IsBroker)
        {
            throw new InvalidOperationException($"{nodeId} is not a dead broker");
        }
        var process = await NodeProcess.StartAsync(
            [.. CommonArgs(nodeId, old.TransportPort), .. BrokerArgs(null)],
            httpPort: old.Process.HttpPort,
            readyTimeout: StartTimeout);
        _previousIncarnations.Enqueue(old);
        var node = new ClusterNode(nodeId, old.TransportPort, isBroker: true, process);
        _nodes[nodeId] = node;
        return node;
    }

    /// <summary>kill -9: no shutdown, no leave; the cluster must notice by itself.</summary>
    public async Task KillAsync(string nodeId)
    {
        var node = _nodes[nodeId];
        node.IsAlive = false;
        await node.Process.KillAsync();
    }

    public string[] CommonArgs(string nodeId, int transportPort)
    {
        List<string> args = ["--node-id", nodeId, "--port", transportPort.ToString(CultureInfo.InvariantCulture), "--seed-nodes", SeedNodes, "--insecure-dev", "on"];
        if (_configFile is not null)
        {
            args.AddRange(["--config", _configFile]);
        }
        return [.. args];
    }

    /// <summary>
    /// Bound on a cluster forming (or re-forming): several seconds on a loaded 2-core machine, so
    /// generous; a bound on a stuck run, not an expectation.
    /// </summary>
    public static TimeSpan FormTimeout { get; } = TimeSpan.FromSeconds(90);

    /// <summary>Bound on one process serving /health (the runtime's start-up under load).</summary>
    private static TimeSpan StartTimeout { get; } = TimeSpan.FromSeconds(90);

    private string[] BrokerArgs(string? postgres) =>
        ["--roles", "broker,edge", "--journal", "postgres", "--postgres", postgres ?? ConnectionString];

    /// <summary>
    /// The usual start of a spec: brokers b1-b3 and edge e1, formed, with <paramref name="topic"/>
    /// created and every one of its partitions serving through the edge.
    /// </summary>
    public async Task<(HttpClient Edge, Probe Probe)> StartServingTopicAsync(string topic, int partitions)
    {
        await StartAsync(["b1", "b2", "b3"], ["e1"]);
        await WaitUntilFormedAsync(FormTimeout);
        var edge = this["e1"].Http;
        await edge.CreateTopicAsync(topic, partitions);
        var probe = await Probe.CreateAsync(edge, topic);
        await probe.UntilAllServeAsync(Enumerable.Range(0, partitions), TimeSpan.FromSeconds(60), "every partition serves");
        return (edge, probe);
    }

    /// <summary>Waits until every live node answers /ready with 200 and the manager lists every live node as up.</summary>
    public async Task WaitUntilFormedAsync(TimeSpan timeout)
    {
        await Eventually.True(async () =>
        {
            // Membership is gossiped: one node seeing everyone up says nothing about the others'
            // views (CI once caught e1 still seeing a member as joining). Formed means every live
            // node is ready and sees every live node up, with one manager they all agree on.
            var managers = new HashSet<string?>();
            foreach (var node in LiveNodes)
            {
                if (!await Admin.IsReadyAsync(node.Http))
                {
                    return false;
                }
                var state = await Admin.GetClusterAsync(node.Http);
                if (!LiveNodes.All(n => state.Members.Any(m => m.NodeId == n.NodeId && m.Status == "up")))
                {
                    return false;
                }
                managers.Add(state.ManagerId);
            }
            return managers.Count == 1 && managers.Single() is { Length: > 0 };
        }, timeout, $"all of {string.Join(", ", LiveNodes.Select(n => n.NodeId))} are ready, and each sees all of them up and the same manager in /cluster");
    }

    /// <summary>Runs a query against this cluster's database.</summary>
    public async Task<List<object[]>> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes.Values.Concat(_previousIncarnations))
        {
            try
            {
                await node.Process.DisposeAsync();
            }
            catch (Exception ex)
            {
                _output.WriteLine($"[{node.NodeId}] could not be stopped: {ex.Message}");
            }
        }
        foreach (var node in _previousIncarnations.Concat(Nodes))
        {
            var lines = node.Process.Output.Split('\n');
            _output.WriteLine($"----- {node.NodeId} (pid {node.Process.Id}), last {Math.Min(lines.Length, 40)} of {lines.Length} log lines -----");
            foreach (var line in lines.TakeLast(40))
            {
                _output.WriteLine(line.TrimEnd('\r'));
            }
        }
        if (_configFile is not null)
        {
            File.Delete(_configFile);
        }
        await _server.DropDatabaseAsync(ConnectionString);
    }

    private ClusterNode Add(ClusterNode node)
    {
        if (!_nodes.TryAdd(node.NodeId, node))
        {
            throw new InvalidOperationException($"node {node.NodeId} was started twice");
        }
        return node;
    }
}
