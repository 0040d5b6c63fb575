namespace Queue.Http.Cluster;

/// <summary>A node-local condition /ready must also meet (e.g. a broker's journal database answers).</summary>
public interface IReadinessCheck
{
    /// <summary>Null when fine; otherwise why the node should not get traffic, for the /ready body.</summary>
    string? WhyNotReady { get; }
}
