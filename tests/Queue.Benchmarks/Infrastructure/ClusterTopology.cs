using System.Globalization;
using Queue.Testing;

namespace Queue.Benchmarks.Infrastructure;

/// <summary>
/// Three brokers (b1..b3, Queue.Node processes with --seed-nodes, one database, the postgres
/// journal) and one edge-only node (Queue.Node --roles edge, the same code as Queue.Http), all on
/// this machine, as docs/cluster.md starts them. b1, the first seed, is started and ready (a
/// one-member cluster: Akka's first seed joins itself) before anything else starts; the cluster
/// is serving once every node answers /ready. The processes belong to the context, which stops
/// them with the scenario.
/// </summary>
public sealed class ClusterTopology
{
    private readonly BenchmarkContext _context;
    private readonly Dictionary<string, IReadOnlyList<string>> _brokerArgs;
    private readonly List<(string Id, NodeProcess Process)> _brokers;

    private ClusterTopology(BenchmarkContext context, string database, Dictionary<string, IReadOnlyList<string>> brokerArgs,
        List<(string Id, NodeProcess Process)> brokers, NodeProcess edge)
    {
        _context = context;
        Database = database;
        _brokerArgs = brokerArgs;
        _brokers = brokers;
        Edge = edge;
    }

    public string Database { get; }

    public IReadOnlyList<(string Id, NodeProcess Process)> Brokers => _brokers;

    public NodeProcess Edge { get; }

    public IEnumerable<int> Pids => Brokers.Select(b => b.Process.Id).Append(Edge.Id);

    public static async Task<ClusterTopology> StartAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var database = await context.CreateDatabaseAsync();
        int[] transport = [FreePort.Next(), FreePort.Next(), FreePort.Next()];
        var seeds = $"127.0.0.1:{transport[0]},127.0.0.1:{transport[1]}";
        var brokerArgs = Enumerable.Range(0, 3).ToDictionary(i => $"b{i + 1}", i => (IReadOnlyList<string>)
        [
            "--node-id", $"b{i + 1}", "--port", transport[i].ToString(CultureInfo.InvariantCulture), "--roles", "broker,edge",
            "--seed-nodes", seeds, "--postgres", database, "--journal", "postgres", "--insecure-dev", "on",
        ]);
        // b1 first, and ready before the others start: it is the first seed (Akka: only the first
        // seed may form a new cluster by joining itself) and it creates the journal's tables.
        var b1 = await context.StartProcessAsync(brokerArgs["b1"]);
        await WaitReadyAsync([b1], cancellationToken);
        var rest = await Task.WhenAll(context.StartProcessAsync(brokerArgs["b2"]), context.StartProcessAsync(brokerArgs["b3"]));
        var edge = await context.StartProcessAsync(
        [
            "--node-id", "edge1", "--port", FreePort.Next().ToString(CultureInfo.InvariantCulture), "--roles", "edge",
            "--seed-nodes", seeds, "--insecure-dev", "on",
        ]);
        var topology = new ClusterTopology(context, database, brokerArgs, [("b1", b1), ("b2", rest[0]), ("b3", rest[1])], edge);
        await WaitReadyAsync(topology.Brokers.Select(b => b.Process).Append(edge), cancellationToken);
        return topology;
    }

    /// <summary>Starts broker <paramref name="id"/> again with its original arguments (after a kill) and waits until it is ready.</summary>
    public async Task<NodeProcess> RestartBrokerAsync(string id, CancellationToken cancellationToken)
    {
        var process = await _context.StartProcessAsync(_brokerArgs[id]);
        _brokers[_brokers.FindIndex(b => b.Id == id)] = (id, process);
        await WaitReadyAsync([process], cancellationToken);
        return process;
    }

    /// <summary>Polls /ready on every node; on timeout says which node was not ready (and, if it exited, its code and last output).</summary>
    private static async Task WaitReadyAsync(IEnumerable<NodeProcess> nodes, CancellationToken cancellationToken)
    {
        var list = nodes.ToList();
        NodeProcess? waiting = null;
        try
        {
            await Eventually.True(async () =>
            {
                foreach (var node in list)
                {
                    waiting = node;
                    using var ready = await node.Http.GetAsync("ready", cancellationToken);
                    if (!ready.IsSuccessStatusCode)
                    {
                        return false;
                    }
                }
                return true;
            }, TimeSpan.FromSeconds(60), "every node of the cluster answers /ready");
        }
        catch (TimeoutException ex) when (waiting is { } node)
        {
            var output = node.Output;
            var tail = output.Length > 4000 ? output[^4000..] : output;
            throw new TimeoutException($"{ex.Message}; waiting for pid {node.Id} (http port {node.HttpPort}), " +
                                       (node.HasExited ? $"exited with code {node.ExitCode}" : "still running") +
                                       $"; its output ends:{Environment.NewLine}{tail}", ex);
        }
    }
}
