using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Queue.Client.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task Options_bind_from_configuration_and_the_clients_resolve_and_work()
    {
        await using var node = await ClientNode.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Queue:BaseAddress"] = node.Node.BaseAddress.ToString(),
            ["Queue:RequestTimeout"] = "00:00:07",
            ["Queue:MaxRetries"] = "3",
            ["Queue:Producer:Linger"] = "00:00:00.002",
            ["Queue:Producer:BatchMaxMessages"] = "50",
            ["Queue:Consumer:From"] = "Earliest",
        }).Build();
        var services = new ServiceCollection().AddQueueClient(configuration.GetSection("Queue"));

        await using (var provider = services.BuildServiceProvider())
        {
            var client = provider.GetRequiredService<QueueClient>();
            Assert.Equal(TimeSpan.FromSeconds(7), client.Options.RequestTimeout);
            Assert.Equal(50, client.Options.Producer.BatchMaxMessages);
            Assert.Equal(ConsumerStart.Earliest, client.Options.Consumer.From);

            await provider.GetRequiredService<QueueAdminClient>().CreateTopicAsync("di");
            var producer = provider.GetRequiredService<QueueProducer>();
            Assert.Same(producer, provider.GetRequiredService<QueueProducer>());
            Assert.Equal(0, (await producer.SendAsync("di", "from DI")).Offset);
        }
    }

    [Fact]
    public async Task Options_can_be_set_in_code()
    {
        var services = new ServiceCollection().AddQueueClient(o => o.BaseAddress = new Uri("http://127.0.0.1:1/"));
        await using var provider = services.BuildServiceProvider();
        Assert.Equal(new Uri("http://127.0.0.1:1/"), provider.GetRequiredService<QueueClient>().Options.BaseAddress);
    }

    [Fact]
    public async Task Cluster_mode_binds_from_configuration_and_makes_a_cluster_transport()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Queue:Mode"] = "Cluster",
            ["Queue:SeedNodes:0"] = "127.0.0.1:1, 127.0.0.1:2",
            ["Queue:SeedNodes:1"] = "127.0.0.1:3",
            ["Queue:InsecureDev"] = "true",
        }).Build();
        await using var provider = new ServiceCollection().AddQueueClient(configuration.GetSection("Queue")).BuildServiceProvider();

        var client = provider.GetRequiredService<QueueClient>();
        Assert.Equal(QueueClientMode.Cluster, client.Options.Mode);
        Assert.Equal(["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"], client.Options.SeedAddresses());
        Assert.IsType<Transport.ClusterQueueTransport>(client.Transport);
    }

    [Theory]
    [InlineData("", "", true, "SeedNodes")]
    [InlineData("127.0.0.1:2552", "", false, "TlsCertificatePath")]
    [InlineData("127.0.0.1:2552", "cluster.pfx", true, "InsecureDev")]
    public void Cluster_mode_without_seed_nodes_or_credentials_is_refused_naming_the_setting(string seeds, string certificate, bool insecure, string setting)
    {
        var options = new QueueClientOptions { Mode = QueueClientMode.Cluster, SeedNodes = [seeds], TlsCertificatePath = certificate, InsecureDev = insecure };
        var error = Assert.Throws<ArgumentException>(() => new QueueClient(options));
        Assert.Equal(setting, error.ParamName);
    }

    [Fact]
    public void A_seed_node_that_is_not_host_and_port_is_refused()
    {
        var options = new QueueClientOptions { Mode = QueueClientMode.Cluster, SeedNodes = ["http://broker:8001/"], InsecureDev = true };
        Assert.Throws<ArgumentException>(() => new Transport.ClusterQueueTransport(options));
    }

    [Fact]
    public void A_certificate_path_that_does_not_exist_is_refused_before_anything_starts()
    {
        var options = new QueueClientOptions { Mode = QueueClientMode.Cluster, SeedNodes = ["127.0.0.1:2552"], TlsCertificatePath = "/nonexistent/cluster.pfx" };
        var error = Assert.Throws<ArgumentException>(() => new Transport.ClusterQueueTransport(options));
        Assert.Contains("/nonexistent/cluster.pfx", error.Message);
    }
}
