using System.Globalization;
using Queue.Testing;

namespace Queue.Benchmarks.Infrastructure;

/// <summary>
/// Three brokers (b1..b3, Queue.Node processes with --seed-nodes, one database) and one edge-only
/// node (Queue.Node --roles edge, the same code as Queue.Http), all on this machine, as
/// docs/cluster.md starts them. Serving once every node answers /ready. The processes belong to
/// the context, which stops them with the scenario.
/// </summary>
public sealed class ClusterTopology
{

    private ClusterTopology(string database, IReadOnlyList<(string Id, NodeProcess Process)> brokers, NodeProcess edge)
    {
        Database = database;
        Brokers = brokers;
        Edge = edge;
    }

    public string Database { get; }

    public IReadOnlyList<(string Id, NodeProcess Process)> Brokers { get; }

    public NodeProcess Edge { get; }

    public IEnumerable<int> Pids => Brokers.Select(b => b.Process.Id).Append(Edge.Id);

    public static async Task<ClusterTopology> StartAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var database = await context.CreateDatabaseAsync();
        int[] transport = [FreePort.Next(), FreePort.Next(), FreePort.Next()];
        var seeds = $"127.0.0.1:{transport[0]},127.0.0.1:{transport[1]}";
        Task<NodeProcess> Broker(int i) => context.StartProcessAsync(
        [
            "--node-id", $"b{i + 1}", "--port", transport[i].ToString(CultureInfo.InvariantCulture), "--roles", "broker,edge",
            "--seed-nodes", seeds, "--postgres", database, "--journal", "postgres", "--insecure-dev", "on",
        ]);
        // b1 first: it is the first seed (Akka: the first seed joins itself) and creates the schema.
        var b1 = await Broker(0);
        var rest = await Task.WhenAll(Broker(1), Broker(2));
        var edge = await context.StartProcessAsync(
        [
            "--node-id", "edge1", "--port", FreePort.Next().ToString(CultureInfo.InvariantCulture), "--roles", "edge",
            "--seed-nodes", seeds, "--insecure-dev", "on",
        ]);
        var topology = new ClusterTopology(database, [("b1", b1), ("b2", rest[0]), ("b3", rest[1])], edge);
        await Eventually.True(async () =>
        {
            foreach (var node in topology.Brokers.Select(b => b.Process).Append(edge))
            {
                using var ready = await node.Http.GetAsync("ready", cancellationToken);
                if (!ready.IsSuccessStatusCode)
                {
                    return false;
                }
            }
            return true;
        }, TimeSpan.FromSeconds(60), "every node of the cluster answers /ready");
        return topology;
    }
}
