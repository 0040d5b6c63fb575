using Queue.Testing;

namespace Queue.Http.Tests;

/// <summary>
/// What the API shows when a partition serves old messages from the journal rather than its
/// in-memory tail, and when its actor has been stopped for idleness and recovers.
/// </summary>
public sealed class PartitionStateTests
{
    [Fact]
    public async Task A_consumer_far_behind_the_in_memory_tail_reads_everything_in_order()
    {
        await using var node = await TestNode.StartAsync(s => s with
        {
            Partition = s.Partition with { TailCacheMessages = 4, ReadPageSize = 3 },
        });
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 2);
        var producer = await api.RegisterProducerAsync("T1");
        for (var i = 0; i < 30; i++)
        {
            await api.ProduceAsync("T1", producer, $"m{i:D2}", partition: i % 2);
        }
        var early = await api.RegisterConsumerAsync("T1", partition: 1, from: "earliest");
        var all = await api.RegisterConsumerAsync("T1", from: "earliest");

        for (var i = 0; i < 15; i++)
        {
            Assert.Equal(($"m{2 * i + 1:D2}", 1, (long)i), await api.ConsumeAsync("T1", early));
        }
        await api.AssertNothingToConsumeAsync("T1", early);

        var read = new List<(string Message, int Partition, long Offset)>();
        for (var i = 0; i < 30; i++)
        {
            read.Add(await api.ConsumeAsync("T1", all));
        }
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"m{i:D2}"), read.Select(r => r.Message).Order(StringComparer.Ordinal));
        foreach (var partition in read.GroupBy(r => r.Partition))
        {
            Assert.Equal(Enumerable.Range(0, 15).Select(o => (long)o), partition.Select(r => r.Offset));
        }
    }

    [Fact]
    public async Task Positions_and_offsets_survive_a_partition_stopped_for_idleness()
    {
        await using var node = await TestNode.StartAsync(s => s with
        {
            Partition = s.Partition with { IdleTimeout = TimeSpan.FromMilliseconds(50), TailCacheMessages = 2 },
        });
        var api = new SeedClient(node.Http);
        var producer = await api.RegisterProducerAsync("T1");
        var reader = await api.RegisterConsumerAsync("T1");
        for (var i = 0; i < 5; i++)
        {
            await api.ProduceAsync("T1", producer, $"m{i}");
        }
        Assert.Equal(("m0", 0, 0L), await api.ConsumeAsync("T1", reader));
        Assert.Equal(("m1", 0, 1L), await api.ConsumeAsync("T1", reader));
        var latest = await api.RegisterConsumerAsync("T1");

        await Eventually.True(async () => (await node.ActivePartitionsAsync()).Count == 0, TimeSpan.FromSeconds(30), "the idle partition actor has stopped");

        Assert.Equal(3, await api.SizeAsync("T1", reader));
        Assert.Equal(0, await api.SizeAsync("T1", latest));
        Assert.Equal(("m2", 0, 2L), await api.ConsumeAsync("T1", reader));
        Assert.Equal((0, 5L), await api.ProduceAsync("T1", producer, "m5"));
        Assert.Equal(("m5", 0, 5L), await api.ConsumeAsync("T1", latest));
        await api.AssertNothingToConsumeAsync("T1", latest);
        Assert.Equal(3, await api.SizeAsync("T1", reader));
    }
}
