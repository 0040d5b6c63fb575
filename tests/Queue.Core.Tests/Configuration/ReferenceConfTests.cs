using Microsoft.Extensions.Configuration;
using Queue.Core.Configuration;

namespace Queue.Core.Tests.Configuration;

/// <summary>The reference.conf embedded in Queue.Core must always parse and carry the documented defaults.</summary>
public sealed class ReferenceConfTests
{
    private static IConfigurationRoot Reference() =>
        new ConfigurationBuilder().AddHocon(s =>
        {
            s.Environment = _ => null;
            s.Layers.Add(HoconLayer.Reference());
        }).Build();

    [Fact]
    public void Embedded_reference_parses_with_the_documented_defaults()
    {
        var config = Reference();

        Assert.Equal("8001", config["queue:http:port"]);
        Assert.Equal("2552", config["queue:node:port"]);
        Assert.Equal("127.0.0.1", config["queue:node:host"]);
        Assert.Equal("", config["queue:node:id"]);
        Assert.Equal("broker", config["queue:node:roles:0"]);
        Assert.Equal("edge", config["queue:node:roles:1"]);
        Assert.Equal(["broker", "edge"], ConfigValues.GetList(config.GetSection("queue:node:roles")));
        Assert.Empty(ConfigValues.GetList(config.GetSection("queue:node:seed-nodes")));
        Assert.Equal(TimeSpan.FromSeconds(5), ConfigValues.ParseDuration(config["queue:http:request-timeout"]!, "queue.http.request-timeout"));
        Assert.Equal(TimeSpan.FromMinutes(10), ConfigValues.ParseDuration(config["queue:partition:idle-timeout"]!, "queue.partition.idle-timeout"));
        Assert.Equal(1024 * 1024, ConfigValues.ParseSize(config["queue:limits:max-message-bytes"]!, "queue.limits.max-message-bytes"));
    }

    [Fact]
    public void Every_duration_and_size_in_the_reference_is_well_formed()
    {
        var config = Reference();
        var checkedKeys = 0;
        foreach (var (key, value) in config.AsEnumerable())
        {
            if (value is null)
            {
                continue;
            }

            if (key.EndsWith("timeout", StringComparison.Ordinal))
            {
                ConfigValues.ParseDuration(value, key);
                checkedKeys++;
            }
            else if (key.EndsWith("-bytes", StringComparison.Ordinal))
            {
                ConfigValues.ParseSize(value, key);
                checkedKeys++;
            }
        }

        Assert.True(checkedKeys >= 4, $"only {checkedKeys} duration/size keys found");
    }

    [Fact]
    public void Loader_reads_the_same_embedded_resource()
    {
        var root = new HoconLoader(new HoconOptions { Environment = _ => null }).AddReference().Resolve();

        Assert.Equal("8001", root.GetString("queue.http.port"));
        Assert.Equal(HoconScalarKind.Number, Assert.IsType<HoconScalar>(root.Find("queue.http.port")).Kind);
        Assert.Equal("reference.conf", root.Find("queue.http.port")!.Position.Source);
    }
}
