namespace Queue.Client;

/// <summary>How a <see cref="QueueClient"/> reaches the queue; chosen by configuration (<see cref="QueueClientOptions.Mode"/>).</summary>
public enum QueueClientMode
{
    /// <summary>The /v1 HTTP API of one edge node at <see cref="QueueClientOptions.BaseAddress"/>; every request takes one hop through it.</summary>
    Http,

    /// <summary>
    /// The node transport: the client joins the cluster through <see cref="QueueClientOptions.SeedNodes"/>
    /// with <see cref="QueueClientOptions.ClusterSecret"/>, keeps the routing table, and sends each
    /// partition's requests straight to the broker that owns it.
    /// </summary>
    Cluster,
}
