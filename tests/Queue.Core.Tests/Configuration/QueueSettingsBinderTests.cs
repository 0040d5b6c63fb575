using Queue.Core.Configuration;
using static Queue.Core.Tests.Configuration.ConfigTestHelpers;

namespace Queue.Core.Tests.Configuration;

public sealed class QueueSettingsBinderTests
{
    [Fact]
    public void The_embedded_defaults_bind_to_exactly_new_QueueSettings()
    {
        // queue.conf is the documented truth; the records' initialisers must say the same, or code
        // that builds settings by hand (tests, embedding) would run with other defaults.
        var bound = QueueSettingsBinder.Bind(QueueConfiguration.Defaults);
        var coded = new QueueSettings();
        Assert.Equal(coded.Http, bound.Http);
        Assert.Equal(coded.Limits, bound.Limits);
        Assert.Equal(coded.Partition, bound.Partition);
        Assert.Equal(coded.Journal, bound.Journal);
        Assert.Equal(coded.Cluster, bound.Cluster);
        Assert.Equal(coded.Node.Roles, bound.Node.Roles);
        Assert.Equal(coded.Node.SeedNodes, bound.Node.SeedNodes);
        // Lists compare by reference in records; with those checked, the rest must be equal field by field.
        Assert.Equal(coded with { Hocon = bound.Hocon, Node = coded.Node with { Roles = bound.Node.Roles, SeedNodes = bound.Node.SeedNodes } }, bound);
        Assert.Same(QueueConfiguration.Defaults, coded.Hocon);
        Assert.Equal(JournalKind.Sqlite, bound.Journal.Kind);
        Assert.False(bound.UsesLease);
        Assert.False(bound.IsClustered);
    }

    [Fact]
    public void Settings_carry_the_whole_merged_config_including_akka()
    {
        var settings = BindText("akka.loglevel = DEBUG");
        Assert.Equal("DEBUG", settings.Hocon.GetString("akka.loglevel"));
        Assert.Equal("cluster", settings.Hocon.GetString("akka.actor.provider"));
        Assert.Equal("cluster", new QueueSettings().Hocon.GetString("akka.actor.provider"));
    }

    [Fact]
    public void Durations_and_sizes_use_akka_spelling()
    {
        var settings = BindText("""
            queue {
              http { request-timeout = 250ms, mailbox-wait = 100 }
              partition.idle-timeout = 5s
              limits.max-message-bytes = 1MiB
              journal.max-batch-bytes = 2MB
            }
            """);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.Http.RequestTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(100), settings.Http.MailboxWait);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Partition.IdleTimeout);
        Assert.Equal(1024 * 1024, settings.Limits.MaxMessageBytes);
        Assert.Equal(2_000_000, settings.Journal.MaxBatchBytes);
    }

    [Fact]
    public void New_keys_bind()
    {
        var settings = BindText("""
            queue.partition.snapshot-every = 250
            queue.cluster { shards = 12, lease { enabled = off, ttl = 10s, renew-interval = 2s } }
            queue.node { port = 0, roles = [client], insecure-dev = yes }
            queue.journal { kind = memory, data-dir = "/var/lib/queue data" }
            """);
        Assert.Equal(250, settings.Partition.SnapshotEvery);
        Assert.Equal(12, settings.Cluster.Shards);
        Assert.False(settings.Cluster.LeaseEnabled);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.Cluster.LeaseTtl);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.Cluster.LeaseRenewInterval);
        Assert.Equal(0, settings.Node.Port);
        Assert.Equal(["client"], settings.Node.Roles);
        Assert.True(settings.Node.InsecureDev);
        Assert.Equal(JournalKind.Memory, settings.Journal.Kind);
        Assert.Equal(Path.Combine("/var/lib/queue data", "akkaqueue.db"), settings.Journal.SqlitePath);
    }

    [Theory]
    [InlineData("", "", JournalKind.Sqlite)]
    [InlineData("", "Host=db", JournalKind.Postgres)]
    [InlineData("memory", "Host=db", JournalKind.Memory)]
    [InlineData("sqlite", "", JournalKind.Sqlite)]
    [InlineData("postgres", "Host=db", JournalKind.Postgres)]
    public void The_journal_kind_is_resolved(string kind, string postgres, JournalKind expected)
    {
        var settings = BindText($"queue.journal {{ kind = \"{kind}\", postgres = \"{postgres}\" }}");
        Assert.Equal(expected, settings.Journal.Kind);
        Assert.Equal(expected == JournalKind.Postgres, settings.UsesLease);
    }

    [Fact]
    public void Journal_kind_follows_a_connection_string_set_in_code()
    {
        Assert.Equal(JournalKind.Postgres, new JournalSettings { Postgres = "Host=db" }.Kind);
        Assert.True(new QueueSettings { Journal = new JournalSettings { Postgres = "Host=db" } }.UsesLease);
    }

    [Fact]
    public void An_unknown_journal_kind_is_an_error()
    {
        var error = BindError("queue.journal.kind = cassandra");
        Assert.Contains("queue.journal.kind = 'cassandra': unknown journal", error);
    }

    [Fact]
    public void Postgres_journal_without_a_connection_string_is_an_error()
    {
        Assert.Contains("queue.journal.kind = postgres needs queue.journal.postgres", BindError("queue.journal.kind = postgres"));
    }

    [Fact]
    public void A_lease_without_postgres_is_an_error()
    {
        Assert.Contains("queue.cluster.lease.enabled = on needs", BindError("queue.cluster.lease.enabled = on"));
        Assert.Contains("renew-interval must be at most half", BindError("queue.cluster.lease { ttl = 1s, renew-interval = 900ms }"));
    }

    [Fact]
    public void A_cluster_without_certificate_or_insecure_dev_is_refused_naming_both_keys()
    {
        var error = BindError("queue.node.seed-nodes = [\"10.0.0.1:2552\"]");
        Assert.Contains("queue.node.tls.certificate-path", error);
        Assert.Contains("queue.node.insecure-dev", error);

        Assert.True(BindText("queue.node { seed-nodes = [\"10.0.0.1:2552\"], insecure-dev = on }").IsClustered);
    }

    [Fact]
    public void A_cluster_with_a_certificate_binds_and_hides_the_password()
    {
        var certificate = Path.GetTempFileName();
        try
        {
            var settings = BindText($"queue.node {{ seed-nodes = [\"a:2552\"], tls {{ certificate-path = {QueueConfiguration.Quote(certificate)}, certificate-password = \"s3cret\" }} }}");
            Assert.Equal(certificate, settings.Node.TlsCertificatePath);
            Assert.Equal("s3cret", settings.Node.TlsCertificatePassword);
            Assert.True(settings.Node.HasTls);
            Assert.DoesNotContain("s3cret", settings.ToString());
            Assert.DoesNotContain("s3cret", settings.Node.ToString());
        }
        finally
        {
            File.Delete(certificate);
        }
    }

    [Fact]
    public void A_missing_certificate_file_is_an_error()
    {
        Assert.Contains("no such file '/nowhere/node.pfx'", BindError("queue.node.tls.certificate-path = \"/nowhere/node.pfx\""));
    }

    [Fact]
    public void The_node_id_defaults_to_host_and_port()
    {
        Assert.Equal("10.1.2.3:2600", Bind(["--host", "10.1.2.3", "--port", "2600"]).Node.NodeId);
        Assert.Equal("n1", Bind(["--node-id", "n1"]).Node.NodeId);
    }

    [Fact]
    public void Every_bad_value_is_reported_together_with_its_key()
    {
        var error = BindError("""
            queue.http.request-timeout = soon
            queue.http.port = 70000
            queue.limits.max-message-bytes = 0
            queue.node.roles = [broker, cook]
            queue.node.seed-nodes = ["nohost"]
            queue.node.insecure-dev = maybe
            queue.journal.kind = tape
            queue.partition.max-batch = lots
            queue.partition.idle-timeout = 0s
            queue.journal.max-batch-bytes = 5 potatoes
            queue.cluster.shards = [1]
            queue.topics.default-partitions = 2000
            """);
        Assert.Contains("queue.http.request-timeout = 'soon'", error);
        Assert.Contains("queue.http.port = '70000'", error);
        Assert.Contains("queue.limits.max-message-bytes = '0'", error);
        Assert.Contains("unknown role 'cook'", error);
        Assert.Contains("'nohost' is not host:port", error);
        Assert.Contains("queue.node.insecure-dev = 'maybe'", error);
        Assert.Contains("queue.journal.kind = 'tape'", error);
        Assert.Contains("queue.partition.max-batch = 'lots'", error);
        Assert.Contains("queue.partition.idle-timeout = '0s': must be positive", error);
        Assert.Contains("queue.journal.max-batch-bytes = '5 potatoes'", error);
        Assert.Contains("queue.cluster.shards: expected a whole number, found a list", error);
        Assert.Contains("queue.topics.default-partitions is larger", error);
    }

    [Fact]
    public void A_list_key_given_a_string_is_an_error_not_a_silent_empty_list()
    {
        Assert.Contains("queue.node.roles: expected a list", BindError("queue.node.roles = \"broker,edge\""));
    }

    [Fact]
    public void A_section_replaced_by_a_scalar_is_reported()
    {
        Assert.Contains("queue.http.port: missing", BindError("queue.http = 5"));
    }
}
