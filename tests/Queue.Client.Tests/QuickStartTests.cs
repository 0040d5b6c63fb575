namespace Queue.Client.Tests;

/// <summary>The sample's producer and consumer, run against a real node, so the README's sample stays working.</summary>
public sealed class QuickStartTests
{
    [Fact]
    public async Task The_sample_producer_and_consumer_work_together()
    {
        await using var node = await ClientNode.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        await QuickStart.Producer.RunAsync(node.Client, "quickstart", 12, timeout.Token);
        var received = await QuickStart.Consumer.RunAsync(node.Client, "quickstart", stopAfter: 12, timeout.Token);

        Assert.Equal(12, received);
    }
}
