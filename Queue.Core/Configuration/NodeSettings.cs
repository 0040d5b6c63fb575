namespace Queue.Core.Configuration;

/// <summary>queue.node: who this node is and how it reaches the cluster.</summary>
public sealed record NodeSettings
{
    public string NodeId { get; init; } = "127.0.0.1:2552";

    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 2552;

    public IReadOnlyList<string> Roles { get; init; } = ["broker", "edge"];

    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    public string ClusterSecret { get; init; } = "";

    /// <summary>queue.node.insecure-dev: allows the transport to run without a cluster secret.</summary>
    public bool InsecureDev { get; init; }

    /// <summary>queue.node.tls.certificate-path: the cluster's PKCS#12 certificate; empty = no TLS (needs insecure-dev).</summary>
    public string TlsCertificatePath { get; init; } = "";

    public string TlsCertificatePassword { get; init; } = "";

    public bool HasRole(string role) => Roles.Contains(role, StringComparer.OrdinalIgnoreCase);
}
