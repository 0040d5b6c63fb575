using Microsoft.Extensions.Configuration;
using Queue.Core.Configuration;

namespace Queue.Core.Tests.Configuration;

public sealed class QueueSettingsBinderTests
{
    private static QueueSettings Bind(string? userConf = null, IReadOnlyList<string>? args = null, Dictionary<string, string>? environment = null)
    {
        var builder = new ConfigurationBuilder().AddHoconReference();
        if (userConf is not null)
        {
            builder.AddHoconString(userConf, "user.conf");
        }
        builder.AddInMemoryCollection(CommandLineFlags.FromEnvironment(name => environment?.GetValueOrDefault(name)));
        builder.AddInMemoryCollection(CommandLineFlags.Parse(args ?? []).Values);
        return QueueSettingsBinder.Bind(builder.Build());
    }

    [Fact]
    public void Reference_conf_and_the_settings_records_agree_on_every_default()
    {
        // reference.conf is the documented truth; the records' initialisers must say the same,
        // or code that builds settings by hand (tests, embedding) would run with other defaults.
        var bound = Bind();
        var coded = new QueueSettings();
        Assert.Equal(coded.Http, bound.Http);
        Assert.Equal(coded.Limits, bound.Limits);
        Assert.Equal(coded.Partition, bound.Partition);
        Assert.Equal(coded.Journal, bound.Journal);
        Assert.Equal(coded.Cluster, bound.Cluster);
        Assert.Equal(coded.Node.NodeId, bound.Node.NodeId);
        Assert.Equal(coded.Node.Host, bound.Node.Host);
        Assert.Equal(coded.Node.Port, bound.Node.Port);
        Assert.Equal(coded.Node.Roles, bound.Node.Roles);
        Assert.Equal(coded.Node.SeedNodes, bound.Node.SeedNodes);
        Assert.Equal(coded.Node.ClusterSecret, bound.Node.ClusterSecret);
        Assert.Equal(coded.Node.InsecureDev, bound.Node.InsecureDev);
        Assert.Equal(coded.Transport, bound.Transport);
    }

    [Fact]
    public void Insecure_dev_is_off_by_default_and_reads_hocon_booleans()
    {
        Assert.False(Bind().Node.InsecureDev);
        Assert.True(Bind("queue.node.insecure-dev = on").Node.InsecureDev);
        Assert.True(Bind("queue.node.insecure-dev = true").Node.InsecureDev);
        var error = Assert.Throws<InvalidOperationException>(() => Bind("queue.node.insecure-dev = maybe"));
        Assert.Contains("queue.node.insecure-dev", error.Message);
    }

    [Fact]
    public void Transport_settings_bind_sizes_and_durations()
    {
        var settings = Bind("queue.transport { max-frame-bytes = 1MiB, request-timeout = 250ms, reconnect-max-backoff = 2s }");
        Assert.Equal(1024 * 1024, settings.Transport.MaxFrameBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.Transport.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.Transport.ReconnectMaxBackoff);
    }

    [Fact]
    public void Flags_override_files_and_environment()
    {
        var settings = Bind(
            userConf: "queue.http.port = 9000\nqueue.node.roles = [edge]",
            args: ["--http-port", "9100", "--roles=broker", "--postgres", "Host=db;Username=q", "--seed-nodes", "a:1, b:2"],
            environment: new() { ["QUEUE_HTTP_PORT"] = "9050", ["QUEUE_NODE_ID"] = "n1" });
        Assert.Equal(9100, settings.Http.Port);
        Assert.Equal(["broker"], settings.Node.Roles);
        Assert.Equal(["a:1", "b:2"], settings.Node.SeedNodes);
        Assert.Equal("Host=db;Username=q", settings.Journal.Postgres);
        Assert.True(settings.Journal.IsPostgres);
        Assert.Equal("n1", settings.Node.NodeId);
    }

    [Fact]
    public void A_user_file_sets_durations_sizes_and_replaces_arrays()
    {
        var settings = Bind("""
            queue {
              http.request-timeout = 250ms
              limits.max-message-bytes = 2KiB
              partition { idle-timeout = 1m, max-batch = 10 }
              node.roles = [broker]
            }
            """);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.Http.RequestTimeout);
        Assert.Equal(2048, settings.Limits.MaxMessageBytes);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.Partition.IdleTimeout);
        Assert.Equal(10, settings.Partition.MaxBatch);
        Assert.Equal(["broker"], settings.Node.Roles);
    }

    [Fact]
    public void The_node_id_defaults_to_host_and_port()
    {
        var settings = Bind(args: ["--host", "10.1.2.3", "--port", "2600"]);
        Assert.Equal("10.1.2.3:2600", settings.Node.NodeId);
    }

    [Fact]
    public void Every_bad_value_is_reported_with_its_key_before_start()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Bind(
            userConf: "queue.http.request-timeout = soon\nqueue.limits.max-message-bytes = 0",
            args: ["--http-port", "70000", "--roles", "broker,cook"]));
        Assert.Contains("queue.http.port = '70000'", error.Message);
        Assert.Contains("unknown role 'cook'", error.Message);
        Assert.Contains("queue.http.request-timeout", error.Message);
        Assert.Contains("queue.limits.max-message-bytes", error.Message);
    }

    [Theory]
    [InlineData("--nope", "unknown option '--nope'")]
    [InlineData("--http-port", "option '--http-port' needs a value")]
    public void Bad_command_lines_say_what_is_wrong(string arg, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => CommandLineFlags.Parse([arg]));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_flag_followed_by_another_flag_has_no_value()
    {
        var error = Assert.Throws<ArgumentException>(() => CommandLineFlags.Parse(["--postgres", "--http-port", "1"]));
        Assert.Contains("'--postgres' needs a value", error.Message);
    }

    [Fact]
    public void Help_lists_every_flag_with_its_environment_twin()
    {
        var (_, help) = CommandLineFlags.Parse(["--help"]);
        Assert.True(help);
        var text = CommandLineFlags.HelpText("Queue.Node", "test");
        foreach (var flag in CommandLineFlags.All)
        {
            Assert.Contains(flag.Name, text);
            Assert.Contains(flag.EnvironmentVariable, text);
        }
    }
}
