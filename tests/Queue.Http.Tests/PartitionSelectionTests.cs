using Queue.Core.Log;
using Queue.Testing;

namespace Queue.Http.Tests;

/// <summary>Which partition a produce goes to and a consume reads from when the request names none.</summary>
public sealed class PartitionSelectionTests
{
    [Fact]
    public async Task Produce_without_a_partition_goes_round_robin_per_producer()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 3);
        var a = await api.RegisterProducerAsync("T1");
        var b = await api.RegisterProducerAsync("T1");

        var fromA = new List<(int, long)>();
        for (var i = 0; i < 4; i++)
        {
            fromA.Add(await api.ProduceAsync("T1", a, $"a{i}"));
        }
        // A second producer has its own turn, starting at the first partition.
        var fromB = new List<(int, long)>();
        for (var i = 0; i < 3; i++)
        {
            fromB.Add(await api.ProduceAsync("T1", b, $"b{i}"));
        }
        fromA.Add(await api.ProduceAsync("T1", a, "a4"));
        fromA.Add(await api.ProduceAsync("T1", a, "a5"));

        Assert.Equal([(0, 0L), (1, 0L), (2, 0L), (0, 1L), (1, 2L), (2, 2L)], fromA);
        Assert.Equal([(0, 2L), (1, 1L), (2, 1L)], fromB);
    }

    [Fact]
    public async Task A_named_partition_does_not_disturb_the_round_robin_turn()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 2);
        var producer = await api.RegisterProducerAsync("T1");

        Assert.Equal(0, (await api.ProduceAsync("T1", producer, "rr")).Partition);
        Assert.Equal(0, (await api.ProduceAsync("T1", producer, "named", partition: 0)).Partition);
        Assert.Equal(1, (await api.ProduceAsync("T1", producer, "rr")).Partition);
        Assert.Equal(0, (await api.ProduceAsync("T1", producer, "rr")).Partition);
    }

    [Fact]
    public async Task A_key_always_lands_on_its_kafka_partition()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 4);
        var producer = await api.RegisterProducerAsync("T1");
        var other = await api.RegisterProducerAsync("T1");
        string[] keys = ["user-1", "user-2", "user-3", "user-4", "user-5", "user-6", "user-7", "user-8", "foobar", "21"];

        var seen = new HashSet<int>();
        foreach (var key in keys)
        {
            var expected = KeyPartitioner.PartitionFor(key, 4);
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(expected, (await api.ProduceAsync("T1", producer, $"{key}-{i}", key: key)).Partition);
            }
            Assert.Equal(expected, (await api.ProduceAsync("T1", other, $"{key}-other", key: key)).Partition);
            seen.Add(expected);
        }
        // Kafka's own vectors: "foobar" → 2 and "21" → 0 of 4 partitions.
        Assert.Equal(2, (await api.ProduceAsync("T1", producer, "x", key: "foobar")).Partition);
        Assert.Equal(0, (await api.ProduceAsync("T1", producer, "x", key: "21")).Partition);
        Assert.True(seen.Count > 1, "ten keys should not all hash to one of four partitions");
    }

    [Fact]
    public async Task A_named_partition_wins_over_a_key()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 4);
        var producer = await api.RegisterProducerAsync("T1");
        var keyed = KeyPartitioner.PartitionFor("foobar", 4);
        var named = (keyed + 1) % 4;

        Assert.Equal(named, (await api.ProduceAsync("T1", producer, "m", partition: named, key: "foobar")).Partition);
    }

    [Fact]
    public async Task Consume_without_a_partition_goes_round_robin_and_skips_empty_partitions()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 4);
        var producer = await api.RegisterProducerAsync("T1");
        var consumer = await api.RegisterConsumerAsync("T1");
        // Partition 1 stays empty; partition 3 has one message, 0 and 2 have three.
        foreach (var (partition, message) in new[] { (0, "a0"), (0, "a1"), (0, "a2"), (2, "c0"), (2, "c1"), (2, "c2"), (3, "d0") })
        {
            await api.ProduceAsync("T1", producer, message, partition);
        }

        var read = new List<(string, int, long)>();
        for (var i = 0; i < 7; i++)
        {
            read.Add(await api.ConsumeAsync("T1", consumer));
        }

        Assert.Equal(
            [("a0", 0, 0L), ("c0", 2, 0L), ("d0", 3, 0L), ("a1", 0, 1L), ("c1", 2, 1L), ("a2", 0, 2L), ("c2", 2, 2L)],
            read);
        await api.AssertNothingToConsumeAsync("T1", consumer);
    }

    [Fact]
    public async Task Round_robin_consume_continues_after_the_partition_it_last_read()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 3);
        var producer = await api.RegisterProducerAsync("T1");
        var consumer = await api.RegisterConsumerAsync("T1");
        await api.ProduceAsync("T1", producer, "b0", partition: 1);

        Assert.Equal(("b0", 1, 0L), await api.ConsumeAsync("T1", consumer));

        await api.ProduceAsync("T1", producer, "a0", partition: 0);
        await api.ProduceAsync("T1", producer, "b1", partition: 1);
        await api.ProduceAsync("T1", producer, "c0", partition: 2);
        // The turn passed partition 1, so partition 2 comes next, then 0, then 1.
        Assert.Equal(("c0", 2, 0L), await api.ConsumeAsync("T1", consumer));
        Assert.Equal(("a0", 0, 0L), await api.ConsumeAsync("T1", consumer));
        Assert.Equal(("b1", 1, 1L), await api.ConsumeAsync("T1", consumer));
    }
}
