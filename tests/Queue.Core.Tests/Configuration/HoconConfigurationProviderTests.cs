using Microsoft.Extensions.Configuration;
using Queue.Core.Configuration;

namespace Queue.Core.Tests.Configuration;

public sealed class HoconConfigurationProviderTests
{
    private const string Defaults = """
        queue {
          node { port = 2552, roles = [broker, edge], seed-nodes = [] }
          http { port = 8001, request-timeout = 5s }
        }
        """;

    [Fact]
    public void Flattens_objects_and_arrays_into_colon_keys()
    {
        var config = new ConfigurationBuilder().AddHoconString("""
            a { b { c = 1.50 } }
            flag = true
            off = false
            timeout = 5s
            size = 1MiB
            text = "hello world"
            empty-string = ""
            nothing = null
            roles = [broker, edge]
            nodes = [{ host = a }, { host = b, ports = [1, 2] }]
            """).Build();

        Assert.Equal("1.50", config["a:b:c"]);
        Assert.Equal("true", config["flag"]);
        Assert.Equal("false", config["off"]);
        Assert.Equal("5s", config["timeout"]);
        Assert.Equal("1MiB", config["size"]);
        Assert.Equal("hello world", config["text"]);
        Assert.Equal("", config["empty-string"]);
        Assert.Null(config["nothing"]);
        Assert.Equal("broker", config["roles:0"]);
        Assert.Equal("edge", config["roles:1"]);
        Assert.Equal("b", config["nodes:1:host"]);
        Assert.Equal("2", config["nodes:1:ports:1"]);
        Assert.Equal("1.50", config["A:B:C"]);
    }

    [Fact]
    public void Empty_arrays_and_objects_appear_as_sections_without_value_or_children()
    {
        var config = new ConfigurationBuilder().AddHoconString("a { list = [], obj {} , x = 1 }").Build();

        Assert.Equal(["list", "obj", "x"], config.GetSection("a").GetChildren().Select(c => c.Key).Order());
        Assert.Null(config["a:list"]);
        Assert.Empty(config.GetSection("a:list").GetChildren());
        Assert.Empty(ConfigValues.GetList(config.GetSection("a:list")));
    }

    [Fact]
    public void Consecutive_hocon_layers_share_one_provider_so_arrays_are_replaced()
    {
        var config = new ConfigurationBuilder()
            .AddHoconString(Defaults, "reference.conf")
            .AddHoconString("queue.node.roles = [broker]\nqueue.http.port = 9000", "user.conf")
            .Build();

        Assert.Single(config.Providers);
        Assert.Equal("9000", config["queue:http:port"]);
        Assert.Equal("2552", config["queue:node:port"]);
        Assert.Equal("broker", config["queue:node:roles:0"]);
        Assert.Null(config["queue:node:roles:1"]);
        Assert.Equal(["broker"], ConfigValues.GetList(config.GetSection("queue:node:roles")));
    }

    [Fact]
    public void Separate_providers_would_merge_arrays_by_index_which_is_why_layers_share_one()
    {
        // What IConfiguration does with two independent providers: the shorter array leaves the
        // earlier provider's second element visible. This is the behaviour shared sources avoid.
        var config = new ConfigurationBuilder()
            .AddHocon(s => s.Layers.Add(HoconLayer.Text(Defaults)))
            .AddHocon(s => s.Layers.Add(HoconLayer.Text("queue.node.roles = [broker]")))
            .Build();

        Assert.Equal(2, config.Providers.Count());
        Assert.Equal("edge", config["queue:node:roles:1"]);
    }

    [Fact]
    public void Layering_with_files_on_top_of_the_embedded_reference()
    {
        var directory = Directory.CreateTempSubdirectory("hocon-provider-");
        try
        {
            var userFile = Path.Combine(directory.FullName, "node.conf");
            File.WriteAllText(userFile, "queue.node { roles = [edge], port = 2600 }\nqueue.http.request-timeout = 2s");

            var config = new ConfigurationBuilder()
                .AddHoconReference()
                .AddHoconFile(userFile)
                .AddHoconFile(Path.Combine(directory.FullName, "absent.conf"), optional: true)
                .Build();

            Assert.Equal(["edge"], ConfigValues.GetList(config.GetSection("queue:node:roles")));
            Assert.Equal("2600", config["queue:node:port"]);
            Assert.Equal("2s", config["queue:http:request-timeout"]);
            Assert.Equal("8001", config["queue:http:port"]);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Missing_required_file_fails_the_build()
    {
        var builder = new ConfigurationBuilder().AddHoconFile(Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.conf"));

        Assert.Throws<FileNotFoundException>(() => builder.Build());
    }

    [Fact]
    public void Syntax_errors_surface_from_build_with_the_source_name()
    {
        var builder = new ConfigurationBuilder().AddHoconString(Defaults, "reference.conf").AddHoconString("queue {\n  port 1\n}", "user.conf");

        var error = Assert.Throws<HoconException>(() => builder.Build());

        Assert.Equal("user.conf:2:3: expected '=' or ':' after key 'port', found '1'", error.Message);
    }

    [Fact]
    public void Configuration_manager_rebuilds_when_a_layer_is_added()
    {
        var manager = new ConfigurationManager();
        manager.AddHoconString(Defaults, "reference.conf");
        Assert.Equal("edge", manager["queue:node:roles:1"]);

        manager.AddHoconString("queue.node.roles = [broker]", "user.conf");

        Assert.Single(manager.Sources.OfType<HoconConfigurationSource>());
        Assert.Null(manager["queue:node:roles:1"]);
        Assert.Equal("broker", manager["queue:node:roles:0"]);
    }

    [Fact]
    public void Injected_environment_and_include_resolver_carry_over_to_later_layers()
    {
        var includes = new InMemoryIncludeResolver(new() { ["extra.conf"] = "extra = yes" });
        var config = new ConfigurationBuilder()
            .AddHocon(s =>
            {
                s.Environment = name => name == "QUEUE_HTTP_PORT" ? "9001" : null;
                s.IncludeResolver = includes;
                s.Layers.Add(HoconLayer.Text(Defaults, "reference.conf"));
            })
            .AddHoconString("queue.http.port = ${?QUEUE_HTTP_PORT}\nqueue.node.port = ${?QUEUE_PORT}\ninclude \"extra.conf\"", "user.conf")
            .Build();

        Assert.Single(config.Providers);
        Assert.Equal("9001", config["queue:http:port"]);
        Assert.Equal("2552", config["queue:node:port"]);
        Assert.Equal("yes", config["extra"]);
    }

    [Fact]
    public void A_later_provider_string_overrides_a_hocon_array_in_get_list()
    {
        var config = new ConfigurationBuilder()
            .AddHoconString(Defaults)
            .AddInMemoryCollection(new Dictionary<string, string?> { ["queue:node:roles"] = "edge" })
            .Build();

        Assert.Equal(["edge"], ConfigValues.GetList(config.GetSection("queue:node:roles")));
    }

    [Fact]
    public void A_later_hocon_array_overrides_an_earlier_provider_string_in_get_list()
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["queue:node:roles"] = "edge, broker" })
            .AddHoconString("queue.node.roles = [broker]")
            .Build();

        Assert.Equal(["broker"], ConfigValues.GetList(config.GetSection("queue:node:roles")));
    }

    [Fact]
    public void Provider_describes_its_layers()
    {
        var source = new HoconConfigurationSource { Layers = { HoconLayer.Reference(), HoconLayer.Text("a = 1", "user.conf") } };

        Assert.Equal("HoconConfigurationProvider (reference.conf < user.conf)", new HoconConfigurationProvider(source).ToString());
    }
}
