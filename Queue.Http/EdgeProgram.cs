namespace Queue.Http;

/// <summary>Entry point of the edge-only node.</summary>
public static class EdgeProgram
{
    public static int Main(string[] args)
    {
        // An edge-only node holds no partitions: it needs a cluster to forward to, and the
        // cluster (node transport, manager) is not built yet. Say so plainly instead of serving
        // an API that cannot answer.
        Console.Error.WriteLine("Queue.Http runs an edge-only node, which needs a cluster (--seed-nodes). " +
            "Cluster mode is not available yet; run `dotnet run --project Queue.Node` for a complete single node.");
        return 2;
    }
}
