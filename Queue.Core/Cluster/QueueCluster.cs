using System.Globalization;
using System.Text;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Queue.Core.Configuration;

namespace Queue.Core.Cluster;

/// <summary>
/// What every AkkaQueue node shares, whatever its roles: the actor system's name, remoting,
/// cluster membership and the names of the partition region and the catalogue singleton.
/// </summary>
public static class QueueCluster
{
    /// <summary>Every node of one cluster runs an actor system of this name (Akka refuses joins across names).</summary>
    public const string SystemName = "akkaqueue";

    /// <summary>The shard region of the partitions (entities on the broker role).</summary>
    public const string PartitionRegion = "partitions";

    /// <summary>The shard region of the consumer groups (entities on the broker role, one per group).</summary>
    public const string GroupRegion = "groups";

    /// <summary>The manager singleton (the catalogue), on the oldest broker.</summary>
    public const string CatalogueSingleton = "catalogue";

    public const string BrokerRole = "broker";

    /// <summary>The role of an SDK process that joins the cluster (never hosts shards, never counts for downing).</summary>
    public const string ClientRole = "client";

    /// <summary>
    /// Each member also carries the role "node-id:&lt;id&gt;", so every node can name every
    /// other by its --node-id (roles are gossiped with membership; nothing else is).
    /// </summary>
    public const string NodeIdRolePrefix = "node-id:";

    /// <summary>Likewise "http:&lt;url&gt;" for the member's HTTP API, so /cluster can link every node.</summary>
    public const string HttpRolePrefix = "http:";

    /// <summary>Marker type under which the partition region or its proxy is registered in Akka.Hosting's registry.</summary>
    public sealed class PartitionsKey;

    /// <summary>Marker type under which the catalogue singleton proxy is registered.</summary>
    public sealed class CatalogueKey;

    /// <summary>Marker type under which the consumer-group region or its proxy is registered.</summary>
    public sealed class GroupsKey;

    /// <summary>
    /// Remoting and clustering from <paramref name="settings"/>: the akka.* defaults of
    /// hocon/akka.conf (inside <see cref="QueueSettings.Hocon"/>) overlaid with what the flags
    /// set (host, port, roles, seed nodes, TLS).
    /// </summary>
    public static AkkaConfigurationBuilder WithQueueCluster(this AkkaConfigurationBuilder akka, QueueSettings settings, IReadOnlyList<string> roles)
    {
        akka.AddHocon(NodeHocon(settings, roles), HoconAddMode.Prepend);
        akka.AddHocon(settings.Hocon, HoconAddMode.Append);
        akka.AddHocon(Serialization.QueueSerializer.Config, HoconAddMode.Append);
        if (settings.Node.TlsCertificatePath.Length > 0)
        {
            akka.AddSetup(TlsSetup(settings.Node));
        }
        if (settings.Cluster.CrashDowning && !roles.Contains(ClientRole))
        {
            // Brokers and edges (long-lived members) down peers whose process is gone; a client
            // comes and goes with its application and leaves membership decisions to them.
            akka.AddStartup((system, _) => system.ActorOf(CrashDowning.Props(settings.Cluster.CrashProbeTimeout), CrashDowning.Name));
        }
        if (settings.Node.SeedNodes.Count == 0)
        {
            // A single node is a cluster of one: it joins itself, so sharding and the singleton
            // run exactly as they do across many brokers.
            akka.AddStartup((system, _) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            });
        }
        return akka;
    }

    /// <summary>
    /// Mutual TLS with the cluster's certificate pinned: every node presents the certificate and
    /// accepts only peers presenting the same one (its thumbprint), so a node without it can
    /// neither join nor read the traffic. A self-signed certificate fails chain validation, which
    /// is why the pin, not the chain, is the check (akka-notes.md: never suppress validation).
    /// </summary>
    private static Akka.Remote.Transport.DotNetty.DotNettySslSetup TlsSetup(NodeSettings node)
    {
        var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(
            node.TlsCertificatePath, node.TlsCertificatePassword.Length > 0 ? node.TlsCertificatePassword : null);
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"queue.node.tls.certificate-path: {node.TlsCertificatePath} has no private key; a node must be able to present it");
        }
        return new Akka.Remote.Transport.DotNetty.DotNettySslSetup(
            certificate,
            suppressValidation: false,
            requireMutualAuthentication: true,
            validateCertificateHostname: false,
            Akka.Remote.Transport.DotNetty.CertificateValidation.PinnedCertificate(certificate.Thumbprint));
    }

    /// <summary>The cluster address of a seed given as host:port.</summary>
    public static string SeedAddress(string hostPort, bool tls) =>
        $"akka.{(tls ? "ssl." : "")}tcp://{SystemName}@{hostPort}";

    private static Config NodeHocon(QueueSettings settings, IReadOnlyList<string> roles)
    {
        var node = settings.Node;
        var tls = node.TlsCertificatePath.Length > 0;
        var allRoles = roles.Append(NodeIdRolePrefix + node.NodeId).Append($"{HttpRolePrefix}http://{node.Host}:{settings.Http.Port}").Select(Quote);
        var seeds = node.SeedNodes.Select(s => Quote(SeedAddress(s, tls)));
        var hocon = new StringBuilder();
        hocon.AppendLine("akka.actor.provider = cluster");
        hocon.AppendLine(CultureInfo.InvariantCulture, $"akka.remote.dot-netty.tcp.hostname = {Quote(node.Host)}");
        hocon.AppendLine(CultureInfo.InvariantCulture, $"akka.remote.dot-netty.tcp.port = {node.Port}");
        hocon.AppendLine(CultureInfo.InvariantCulture, $"akka.cluster.roles = [{string.Join(", ", allRoles)}]");
        hocon.AppendLine(CultureInfo.InvariantCulture, $"akka.cluster.seed-nodes = [{string.Join(", ", seeds)}]");
        if (tls)
        {
            hocon.AppendLine("akka.remote.dot-netty.tcp.enable-ssl = on");
        }
        return ConfigurationFactory.ParseString(hocon.ToString());
    }

    /// <summary>A HOCON quoted string: every value that came from a flag goes through here.</summary>
    public static string Quote(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => text.Append("\\\""),
                '\\' => text.Append("\\\\"),
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                _ when char.IsControl(c) => text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => text.Append(c),
            };
        }
        return text.Append('"').ToString();
    }

    /// <summary>The node id a member announced through its roles, else its address.</summary>
    public static string NodeIdOf(Akka.Cluster.Member member) =>
        member.Roles.FirstOrDefault(r => r.StartsWith(NodeIdRolePrefix, StringComparison.Ordinal))?[NodeIdRolePrefix.Length..]
        ?? $"{member.Address.Host}:{member.Address.Port}";

    public static string? HttpAddressOf(Akka.Cluster.Member member) =>
        member.Roles.FirstOrDefault(r => r.StartsWith(HttpRolePrefix, StringComparison.Ordinal))?[HttpRolePrefix.Length..];

    /// <summary>Roles as the user gave them (without the node-id and http roles).</summary>
    public static IReadOnlyList<string> UserRoles(Akka.Cluster.Member member) =>
        member.Roles.Where(r => !r.StartsWith(NodeIdRolePrefix, StringComparison.Ordinal) && !r.StartsWith(HttpRolePrefix, StringComparison.Ordinal))
            .OrderBy(r => r, StringComparer.Ordinal).ToList();

    /// <summary>Proxies to the partitions and the catalogue, for nodes that host neither (edges, cluster clients).</summary>
    public static AkkaConfigurationBuilder WithQueueProxies(this AkkaConfigurationBuilder akka, QueueSettings settings) => akka
        .WithShardRegionProxy<PartitionsKey>(PartitionRegion, BrokerRole, new PartitionMessageExtractor(settings.Cluster.Shards))
        .WithSingletonProxy<CatalogueKey>(CatalogueSingleton, new ClusterSingletonOptions { Role = BrokerRole })
        .WithShardRegionProxy<GroupsKey>(GroupRegion, BrokerRole, new GroupMessageExtractor(settings.Cluster.Shards));

    /// <summary>The consumer groups' backend, from the actor registered under <see cref="GroupsKey"/>.</summary>
    public static AkkaGroupBackend CreateGroupBackend(IActorRegistry registry) => new(registry.Get<GroupsKey>);

    /// <summary>The backend the request logic asks through, from the actors registered under <see cref="PartitionsKey"/> and <see cref="CatalogueKey"/>.</summary>
    public static AkkaQueueBackend CreateBackend(IActorRegistry registry, QueueSettings settings) => new(
        registry.Get<PartitionsKey>,
        registry.Get<CatalogueKey>,
        Math.Max(1, settings.Partition.MailboxCapacity),
        settings.Http.MailboxWait);
}
