using System.Text;

namespace Queue.Core.Configuration;

/// <summary>queue.node: who this node is and how it reaches the cluster. Defaults mirror hocon/queue.conf.</summary>
public sealed record NodeSettings
{
    public string NodeId { get; init; } = "127.0.0.1:2552";

    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Akka.Remote port; 0 picks a free one.</summary>
    public int Port { get; init; } = 2552;

    public IReadOnlyList<string> Roles { get; init; } = ["broker", "edge"];

    /// <summary>host:port of the seed nodes; empty for a standalone node.</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    /// <summary>queue.node.insecure-dev: lets a clustered node run without TLS.</summary>
    public bool InsecureDev { get; init; }

    /// <summary>queue.node.tls.certificate-path: the node's PKCS#12 file; empty = no TLS.</summary>
    public string TlsCertificatePath { get; init; } = "";

    /// <summary>queue.node.tls.certificate-password. Never printed (see <see cref="PrintMembers"/>).</summary>
    public string TlsCertificatePassword { get; init; } = "";

    public bool HasTls => TlsCertificatePath.Length > 0;

    public bool HasRole(string role) => Roles.Contains(role, StringComparer.OrdinalIgnoreCase);

    // Settings end up in logs and exception messages; the generated ToString would print the
    // certificate password.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"NodeId = {NodeId}, Host = {Host}, Port = {Port}, Roles = [{string.Join(", ", Roles)}], ");
        builder.Append($"SeedNodes = [{string.Join(", ", SeedNodes)}], InsecureDev = {InsecureDev}, ");
        builder.Append($"TlsCertificatePath = {TlsCertificatePath}, TlsCertificatePassword = {(TlsCertificatePassword.Length > 0 ? "***" : "")}");
        return true;
    }
}
