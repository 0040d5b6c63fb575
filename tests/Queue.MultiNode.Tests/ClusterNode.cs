using Queue.Testing;

namespace Queue.MultiNode.Tests;

/// <summary>One node of a <see cref="TestCluster"/>: its process, its ports and its role.</summary>
public sealed class ClusterNode(string nodeId, int transportPort, bool isBroker, NodeProcess process)
{
    public string NodeId { get; } = nodeId;

    public int TransportPort { get; } = transportPort;

    public bool IsBroker { get; } = isBroker;

    public NodeProcess Process { get; } = process;

    public HttpClient Http => Process.Http;

    /// <summary>False once the test killed or stopped it.</summary>
    public bool IsAlive { get; set; } = true;
}
