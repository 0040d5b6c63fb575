using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Queue.Core.Configuration;
using static Queue.Core.Tests.Configuration.ConfigTestHelpers;

namespace Queue.Core.Tests.Configuration;

public sealed class QueueConfigurationTests : IDisposable
{
    private readonly ConfigTestHelpers _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>A value for each flag that its key accepts, and what the bound settings then hold.</summary>
    public static TheoryData<string, string, Func<QueueSettings, object>, object> EveryFlag() => new()
    {
        { "--http-port", "9100", s => s.Http.Port, 9100 },
        { "--port", "2600", s => s.Node.Port, 2600 },
        { "--host", "10.0.0.7", s => s.Node.Host, "10.0.0.7" },
        { "--roles", "edge, client", s => string.Join("|", s.Node.Roles), "edge|client" },
        { "--seed-nodes", "a:1,b:2", s => string.Join("|", s.Node.SeedNodes), "a:1|b:2" },
        { "--node-id", "n7", s => s.Node.NodeId, "n7" },
        { "--journal", "memory", s => s.Journal.Kind, JournalKind.Memory },
        { "--postgres", "Host=db;Username=q", s => s.Journal.Postgres, "Host=db;Username=q" },
        { "--data-dir", "/srv/queue", s => s.Journal.DataDir, "/srv/queue" },
        { "--tls-password", "pw", s => s.Node.TlsCertificatePassword, "pw" },
        { "--insecure-dev", "on", s => s.Node.InsecureDev, true },
    };

    [Theory]
    [MemberData(nameof(EveryFlag))]
    public void Every_flag_and_its_environment_twin_set_their_key(string name, string value, Func<QueueSettings, object> read, object expected)
    {
        var flag = CommandLineFlags.All.Single(f => f.Name == name);
        // A cluster needs TLS or insecure-dev; the seed-nodes case says so itself.
        var extra = name == "--seed-nodes" ? new[] { "--insecure-dev", "on" } : [];
        Assert.Equal(expected, read(Bind([name, value, .. extra])));
        Assert.Equal(expected, read(Bind([$"{name}={value}", .. extra])));
        Assert.Equal(expected, read(Bind(extra, new() { [flag.EnvironmentVariable] = value })));
    }

    [Fact]
    public void Every_flag_is_covered_and_names_a_key_of_queue_conf()
    {
        var covered = EveryFlag().Select(row => (string)row[0]).Concat(["--tls-certificate", "--config"]);
        Assert.Equal(CommandLineFlags.All.Select(f => f.Name).Order(), covered.Order());
        foreach (var flag in CommandLineFlags.All.Where(f => f.Key is not null))
        {
            Assert.True(QueueConfiguration.Defaults.HasPath(flag.Key!), $"{flag.Name} sets {flag.Key}, which queue.conf does not have");
        }
    }

    [Fact]
    public void The_tls_certificate_flag_sets_its_path()
    {
        var certificate = _files.WriteFile("not really a certificate", "node one.pfx");
        Assert.Equal(certificate, Bind(["--tls-certificate", certificate]).Node.TlsCertificatePath);
    }

    [Fact]
    public void File_then_environment_then_flag_win_in_that_order()
    {
        var file = _files.WriteFile("queue.http.port = 9001\nqueue.node.id = from-file\nqueue.journal.data-dir = file-dir");
        var environment = new Dictionary<string, string> { ["QUEUE_CONFIG"] = file, ["QUEUE_HTTP_PORT"] = "9002", ["QUEUE_NODE_ID"] = "from-env" };

        var settings = Bind(["--http-port", "9003"], environment);

        Assert.Equal(9003, settings.Http.Port);          // all three set it: the flag wins
        Assert.Equal("from-env", settings.Node.NodeId);  // file and environment: the environment wins
        Assert.Equal("file-dir", settings.Journal.DataDir); // only the file: the file beats the default
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Http.RequestTimeout); // nobody: the default
    }

    [Fact]
    public void The_config_flag_wins_over_QUEUE_CONFIG()
    {
        var flagFile = _files.WriteFile("queue.node.id = flag-file", "flag.conf");
        var envFile = _files.WriteFile("queue.node.id = env-file", "env.conf");
        Assert.Equal("flag-file", Bind(["--config", flagFile], new() { ["QUEUE_CONFIG"] = envFile }).Node.NodeId);
    }

    [Fact]
    public void A_config_file_may_set_akka_keys_and_lists_are_replaced_whole()
    {
        var file = _files.WriteFile("""
            akka.cluster.failure-detector.acceptable-heartbeat-pause = 5s
            queue.node.roles = [edge]
            """);
        var config = Load(["--config", file]);
        Assert.Equal(TimeSpan.FromSeconds(5), config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
        Assert.Equal(TimeSpan.FromMilliseconds(500), config.GetTimeSpan("akka.cluster.failure-detector.heartbeat-interval"));
        Assert.Equal(["edge"], QueueSettingsBinder.Bind(config).Node.Roles);
        // An empty variable empties a list set by the file: a node can be made standalone again.
        Assert.Empty(Bind(["--config", file], new() { ["QUEUE_SEED_NODES"] = "" }).Node.SeedNodes);
    }

    [Theory]
    [InlineData("Host=db.example;Port=5432;Username=queue;Password=p@ss w=rd;\"quoted\";Search Path=a,b")]
    [InlineData("C:\\Program Files\\Queue\\node.pfx")]
    [InlineData("/srv/queue data/with spaces/")]
    [InlineData("${HOME} # not a comment // nor this { [ } ]")]
    [InlineData("line one\nline two\ttab")]
    [InlineData("")]
    public void Awkward_values_survive_quoting_unchanged(string value)
    {
        Assert.Equal(value, Bind(["--postgres", value]).Journal.Postgres);
        Assert.Equal(value, Bind(environment: new() { ["QUEUE_POSTGRES"] = value }).Journal.Postgres);
        Assert.Equal(value, ConfigurationFactory.ParseString("v = " + QueueConfiguration.Quote(value)).GetString("v"));
    }

    [Fact]
    public void A_value_starting_with_dashes_is_a_value_unless_it_is_a_flag()
    {
        Assert.Equal("--secret--", Bind(["--tls-password", "--secret--"]).Node.TlsCertificatePassword);
        var error = Assert.Throws<ArgumentException>(() => CommandLineFlags.Parse(["--postgres", "--http-port", "1"]));
        Assert.Contains("'--postgres' needs a value", error.Message);
    }

    [Fact]
    public void A_missing_config_file_is_a_clear_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid(), "node.conf");
        var error = Assert.Throws<ArgumentException>(() => Load(["--config", missing]));
        Assert.StartsWith($"--config {missing}: cannot read the file", error.Message);
    }

    [Theory]
    [InlineData("queue {\n  http.port = 1\n", "line 1, column 7: '{' is never closed")]
    [InlineData("queue.node.roles = [broker,\nqueue.http.port = 1 }", "line 2, column 21: '}' found where ']' closes the '[' at line 1, column 20")]
    [InlineData("queue.node.id = \"unterminated\nqueue.http.port = 1", "line 1, column 17: a quoted string is not closed on its line")]
    [InlineData("queue.http.port = 1\n}", "line 2, column 1: '}' closes nothing")]
    public void A_malformed_config_file_is_an_error_with_its_position(string text, string expected)
    {
        var file = _files.WriteFile(text);
        var error = Assert.Throws<ArgumentException>(() => Load(["--config", file]));
        Assert.Equal($"{file}: {expected}", error.Message.Split(Environment.NewLine)[0]);
    }

    [Fact]
    public void Akka_parser_errors_keep_their_position()
    {
        var file = _files.WriteFile("queue.http.port = 1,,");
        var error = Assert.Throws<ArgumentException>(() => Load(["--config", file]));
        Assert.StartsWith(file + ": ", error.Message);
        Assert.Contains("position", error.Message);
    }

    [Fact]
    public void Brackets_in_comments_and_strings_are_not_structure()
    {
        var settings = BindText(
            "# a comment with { and [\n"
            + "// another ] }\n"
            + "queue.node.id = \"a { [ \\\" ] }\"\n"
            + "queue.journal.postgres = \"\"\"Host=x;App={\"y\"}\"\"\"\n");
        Assert.Equal("a { [ \" ] }", settings.Node.NodeId);
        Assert.Equal("Host=x;App={\"y\"}", settings.Journal.Postgres);
    }

    [Fact]
    public void Includes_are_refused_clearly()
    {
        var file = _files.WriteFile("include \"other.conf\"");
        Assert.Contains("include \"other.conf\" is not supported", Assert.Throws<ArgumentException>(() => Load(["--config", file])).Message);
    }

    [Theory]
    [InlineData("--nope", "unknown option '--nope'")]
    [InlineData("--http-port", "option '--http-port' needs a value")]
    public void Bad_command_lines_say_what_is_wrong(string arg, string expected)
    {
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => Load([arg])).Message);
    }

    [Fact]
    public void Help_lists_every_flag_with_its_environment_twin_and_reads_nothing_else()
    {
        var (_, help) = QueueConfiguration.Load(["--help", "--config", "/does/not/exist.conf"], _ => null);
        Assert.True(help);
        var text = CommandLineFlags.HelpText("Queue.Node", "test");
        foreach (var flag in CommandLineFlags.All)
        {
            Assert.Contains(flag.Name, text);
            Assert.Contains(flag.EnvironmentVariable, text);
        }
        Assert.Contains("prefer the environment variable", text);
        Assert.DoesNotContain("cluster-secret", text);
    }

    [Fact]
    public void Every_akka_key_in_akka_conf_exists_in_akka_own_reference()
    {
        // akka.conf may only tune keys Akka reads; a misspelt key would be silently ignored.
        // Akka's own reference files, read from the 1.5.73 assemblies this build runs with.
        var reference = ClusterSharding.DefaultConfig()
            .WithFallback(Embedded(typeof(ClusterSingleton), "Akka.Cluster.Tools.Singleton.reference.conf"))
            .WithFallback(Embedded(typeof(Akka.Cluster.Cluster), "Akka.Cluster.Configuration.Cluster.conf"))
            .WithFallback(Embedded(typeof(Akka.Remote.RemoteActorRefProvider), "Akka.Remote.Configuration.Remote.conf"))
            .WithFallback(ConfigurationFactory.Default());
        var paths = Leaves(QueueConfiguration.AkkaDefaults.Root.GetObject(), "").ToList();
        Assert.True(paths.Count > 20, $"only {paths.Count} keys found in akka.conf");
        Assert.All(paths, path => Assert.True(reference.HasPath(path), $"akka.conf sets {path}, which Akka does not know"));
    }

    [Fact]
    public void The_embedded_akka_defaults_say_what_the_product_relies_on()
    {
        var config = QueueConfiguration.Defaults;
        Assert.Equal("cluster", config.GetString("akka.actor.provider"));
        Assert.Equal("Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster", config.GetString("akka.cluster.downing-provider-class"));
        Assert.Equal("broker", config.GetString("akka.cluster.sharding.role"));
        Assert.Equal("ddata", config.GetString("akka.cluster.sharding.state-store-mode"));
        Assert.Empty(config.GetStringList("akka.cluster.sharding.distributed-data.durable.keys"));
        Assert.Equal(16L * 1024 * 1024, config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size"));
        Assert.True(config.GetTimeSpan("akka.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout")
            >= config.GetTimeSpan("akka.cluster.sharding.handoff-timeout"));
    }

    private static Config Embedded(Type type, string resource)
    {
        using var stream = type.Assembly.GetManifestResourceStream(resource) ?? throw new InvalidOperationException($"{resource} not found");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    private static IEnumerable<string> Leaves(Akka.Configuration.Hocon.HoconObject node, string prefix)
    {
        foreach (var (key, value) in node.Items)
        {
            var path = prefix.Length == 0 ? key : $"{prefix}.{key}";
            if (value.IsObject())
            {
                foreach (var leaf in Leaves(value.GetObject(), path))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return path;
            }
        }
    }
}
