namespace Queue.Client;

/// <summary>How a <see cref="QueueClient"/> reaches the queue; chosen by configuration (<see cref="QueueClientOptions.Mode"/>).</summary>
public enum QueueClientMode
{
    /// <summary>The /v1 HTTP API of one edge node at <see cref="QueueClientOptions.BaseAddress"/>; every request takes one hop through it.</summary>
    Http,

    /// <summary>
    /// Akka cluster membership: the client joins the cluster through <see cref="QueueClientOptions.SeedNodes"/>
    /// as a member with the role <c>client</c> (over TLS with <see cref="QueueClientOptions.TlsCertificatePath"/>,
    /// or without it when <see cref="QueueClientOptions.InsecureDev"/>), and sends each partition's
    /// requests straight to the broker that owns it through cluster sharding's proxy.
    /// </summary>
    Cluster,
}
