namespace Queue.Client.Tests;

public sealed class ConsumerTests : IAsyncLifetime
{
    private ClientNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = await ClientNode.StartAsync();
        await _node.Client.Admin.CreateTopicAsync("c", 3);
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Consumes_every_partition_in_offset_order()
    {
        await ProduceAsync(30);
        await using var consumer = await _node.Client.CreateConsumerAsync("c", new QueueConsumerOptions { From = ConsumerStart.Earliest });

        var received = await TakeAsync(consumer, 30);

        Assert.Equal(30, received.Select(m => m.Value).Distinct().Count());
        foreach (var partition in received.GroupBy(m => m.Partition))
        {
            Assert.Equal(Enumerable.Range(0, partition.Count()).Select(i => (long)i), partition.Select(m => m.Offset));
        }
    }

    [Fact]
    public async Task A_long_poll_delivers_messages_produced_after_it_started()
    {
        await using var consumer = await _node.Client.CreateConsumerAsync("c");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var first = FirstAsync(consumer, timeout.Token);

        await ProduceAsync(1);
        Assert.Equal("m0", (await first).Value);
    }

    [Fact]
    public async Task Auto_commit_is_at_least_once_and_a_resumed_consumer_continues()
    {
        await ProduceAsync(10, partitions: 1);
        long id;
        await using (var consumer = await _node.Client.CreateConsumerAsync("c", new QueueConsumerOptions { From = ConsumerStart.Earliest }))
        {
            id = consumer.ConsumerId;
            // The loop breaks while holding the fourth message: it never came back for more, so
            // the fourth is not known to be processed and is committed as unread.
            var seen = await TakeAsync(consumer, 4);
            Assert.Equal(["m0", "m1", "m2", "m3"], seen.Select(m => m.Value));
            Assert.Equal(7, await consumer.SizeAsync());
        }

        await using var resumed = await _node.Client.CreateConsumerAsync("c", new QueueConsumerOptions { ConsumerId = id });
        var rest = await TakeAsync(resumed, 7);
        Assert.Equal(Enumerable.Range(3, 7).Select(i => $"m{i}"), rest.Select(m => m.Value));
    }

    [Fact]
    public async Task Manual_commit_moves_the_position_only_when_asked()
    {
        await ProduceAsync(5, partitions: 1);
        await using var consumer = await _node.Client.CreateConsumerAsync("c", new QueueConsumerOptions { From = ConsumerStart.Earliest, AutoCommit = false });

        var seen = await TakeAsync(consumer, 5);
        Assert.Equal(5, await consumer.SizeAsync());

        await consumer.CommitAsync(seen[1]);
        Assert.Equal(3, await consumer.SizeAsync());
        await consumer.CommitAsync();
        Assert.Equal(0, await consumer.SizeAsync());
    }

    [Fact]
    public async Task A_consumer_of_one_partition_reads_only_that_partition()
    {
        await ProduceAsync(9);
        await using var consumer = await _node.Client.CreateConsumerAsync("c", new QueueConsumerOptions { From = ConsumerStart.Earliest, Partition = 2 });
        Assert.Equal([2], consumer.Partitions);
        var received = await TakeAsync(consumer, 3);
        Assert.All(received, m => Assert.Equal(2, m.Partition));
        // The loop broke holding the last message, so auto-commit left it unread; CommitAsync()
        // commits everything yielded.
        Assert.Equal(1, await consumer.SizeAsync());
        await consumer.CommitAsync();
        Assert.Equal(0, await consumer.SizeAsync());
    }

    [Fact]
    public async Task Consumers_refuse_unknown_topics()
    {
        var error = await Assert.ThrowsAsync<QueueNotFoundException>(() => _node.Client.CreateConsumerAsync("nothing-here"));
        Assert.Contains("nothing-here", error.Message);
    }

    /// <summary>Produces m0..m(n-1), spread round-robin over the first <paramref name="partitions"/> partitions.</summary>
    private async Task ProduceAsync(int count, int partitions = 3)
    {
        await using var producer = _node.Client.CreateProducer();
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => producer.SendAsync("c", $"m{i}", partition: i % partitions)));
    }

    private static async Task<List<ConsumedMessage>> TakeAsync(QueueConsumer consumer, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var received = new List<ConsumedMessage>();
        await foreach (var message in consumer.ConsumeAsync(timeout.Token))
        {
            received.Add(message);
            if (received.Count == count)
            {
                break;
            }
        }
        return received;
    }

    private static async Task<ConsumedMessage> FirstAsync(QueueConsumer consumer, CancellationToken cancellationToken)
    {
        await foreach (var message in consumer.ConsumeAsync(cancellationToken))
        {
            return message;
        }
        throw new InvalidOperationException("the consumer ended without a message");
    }
}
