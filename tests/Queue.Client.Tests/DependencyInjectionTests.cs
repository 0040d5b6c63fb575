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
}
