using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Queue.Testing;

namespace Queue.Http.Tests;

/// <summary>
/// Many clients at once on one topic: nothing acknowledged is lost, nothing is handed out twice,
/// offsets stay dense, and each partition keeps every producer's order (design.md §3.3).
/// </summary>
public sealed class ConcurrencyTests
{
    private const string Topic = "busy";
    private const int Partitions = 4;
    private const int Producers = 8;
    private const int MessagesPerProducer = 250;
    private const int Total = Producers * MessagesPerProducer;

    private sealed record Delivery(string Message, int Partition, long Offset);

    [Theory]
    [InlineData(10_000)] // every message still in the partitions' memory
    [InlineData(16)] // most reads go to the journal, a page at a time
    public async Task Concurrent_producers_then_concurrent_clients_of_shared_consumers_get_each_message_exactly_once(int tailCacheMessages)
    {
        await using var node = await TestNode.StartAsync(s => s with
        {
            Partition = s.Partition with { TailCacheMessages = tailCacheMessages, ReadPageSize = 10 },
        });
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync(Topic, Partitions);
        var shared = await api.RegisterConsumerAsync(Topic, from: "earliest");
        var second = await api.RegisterConsumerAsync(Topic, from: "earliest");

        var acked = await ProduceConcurrentlyAsync(api);
        Assert.Equal(Total, await api.SizeAsync(Topic, shared));

        // Six clients share one consumer id and three share another, all at once, each reading
        // until the queue tells it there is nothing left.
        var clients = Enumerable.Range(0, 6).Select(_ => ConsumeUntilEmptyAsync(api, shared))
            .Concat(Enumerable.Range(0, 3).Select(_ => ConsumeUntilEmptyAsync(api, second)))
            .ToList();
        var received = await Task.WhenAll(clients);

        AssertExactlyOnce(acked, received[..6]);
        AssertExactlyOnce(acked, received[6..]);
        Assert.Equal(0, await api.SizeAsync(Topic, shared));
        Assert.Equal(0, await api.SizeAsync(Topic, second));
    }

    [Fact]
    public async Task Clients_consuming_while_producers_produce_get_each_message_exactly_once()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync(Topic, Partitions);
        // Registered before any message exists, so "latest" (the default) still sees them all.
        var consumer = await api.RegisterConsumerAsync(Topic);

        var receivedCount = 0;
        var stopwatch = Stopwatch.StartNew();
        var clients = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            var mine = new List<Delivery>();
            // Read until every message is accounted for; an empty answer only means the
            // producers are behind, so back off a little and ask again (a client's poll). The
            // deadline only ends a stuck run: other test classes run beside this one on two cores.
            while (Volatile.Read(ref receivedCount) < Total && stopwatch.Elapsed < TimeSpan.FromMinutes(3))
            {
                var reply = await api.TryConsumeAsync(Topic, consumer);
                if (reply.Status == HttpStatusCode.OK)
                {
                    mine.Add(new Delivery(reply.String("message")!, reply.Int("partition"), reply.Long("offset")));
                    Interlocked.Increment(ref receivedCount);
                }
                else
                {
                    reply.AssertBadRequest("no more messages");
                    await Task.Delay(2);
                }
            }
            return mine;
        })).ToList();

        var acked = await ProduceConcurrentlyAsync(api);
        var received = await Task.WhenAll(clients);

        AssertExactlyOnce(acked, received);
        await api.AssertNothingToConsumeAsync(Topic, consumer);
    }

    [Fact]
    public async Task Concurrent_registrations_on_a_missing_topic_create_it_once_and_hand_out_unique_ids()
    {
        await using var node = await TestNode.StartAsync(s => s with { Limits = s.Limits with { DefaultPartitions = 3 } });
        var api = new SeedClient(node.Http);

        var producers = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() => api.RegisterProducerAsync("fresh"))));
        var consumers = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() => api.RegisterConsumerAsync("fresh"))));

        Assert.Equal(40, producers.Distinct().Count());
        Assert.Equal(40, consumers.Distinct().Count());
        Assert.Equal(["fresh"], await api.TopicsAsync());
        Assert.Equal([0, 1, 2], await api.PartitionsAsync("fresh"));
    }

    [Fact]
    public async Task Concurrent_creations_of_one_topic_succeed_exactly_once()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);

        var replies = await Task.WhenAll(Enumerable.Range(1, 20).Select(i =>
            Task.Run(() => api.PostJsonAsync("/topics", new { topic_name = "race", number_of_partitions = i }))));

        var winners = replies.Where(r => r.Status == HttpStatusCode.OK).ToList();
        Assert.Single(winners);
        foreach (var loser in replies.Where(r => r.Status != HttpStatusCode.OK))
        {
            loser.AssertBadRequest("'race'", "already exists");
        }
        Assert.Equal(["race"], await api.TopicsAsync());
        var partitions = await api.PartitionsAsync("race");
        Assert.InRange(partitions.Count, 1, 20);
        Assert.Equal(Enumerable.Range(0, partitions.Count), partitions);
    }

    /// <summary>Eight producers at once, each sending its messages in order; returns every acknowledgement.</summary>
    private static async Task<IReadOnlyDictionary<string, (int Partition, long Offset)>> ProduceConcurrentlyAsync(SeedClient api)
    {
        var ids = new long[Producers];
        for (var p = 0; p < Producers; p++)
        {
            ids[p] = await api.RegisterProducerAsync(Topic);
        }
        var acked = new ConcurrentDictionary<string, (int, long)>();
        await Task.WhenAll(ids.Select((id, p) => Task.Run(async () =>
        {
            for (var i = 0; i < MessagesPerProducer; i++)
            {
                var message = $"p{p}-{i:D4}";
                // Every other producer picks by key, the rest go round-robin.
                var ack = await api.ProduceAsync(Topic, id, message, key: p % 2 == 0 ? $"key-{i % 7}" : null);
                Assert.True(acked.TryAdd(message, ack));
            }
        })));
        Assert.Equal(Total, acked.Count);
        // Acknowledged offsets are dense per partition: 0..n-1, each exactly once.
        foreach (var partition in acked.Values.GroupBy(a => a.Item1))
        {
            Assert.InRange(partition.Key, 0, Partitions - 1);
            Assert.Equal(Enumerable.Range(0, partition.Count()).Select(o => (long)o), partition.Select(a => a.Item2).Order());
        }
        return acked;
    }

    private static Task<List<Delivery>> ConsumeUntilEmptyAsync(SeedClient api, long consumer) => Task.Run(async () =>
    {
        var mine = new List<Delivery>();
        while (true)
        {
            var reply = await api.TryConsumeAsync(Topic, consumer);
            if (reply.Status != HttpStatusCode.OK)
            {
                reply.AssertBadRequest("no more messages");
                return mine;
            }
            mine.Add(new Delivery(reply.String("message")!, reply.Int("partition"), reply.Long("offset")));
        }
    });

    private static void AssertExactlyOnce(IReadOnlyDictionary<string, (int Partition, long Offset)> acked, IReadOnlyList<List<Delivery>> clients)
    {
        var all = clients.SelectMany(c => c).ToList();
        var duplicates = all.GroupBy(d => d.Message).Where(g => g.Count() > 1).Select(g => g.Key).Take(5).ToList();
        Assert.True(duplicates.Count == 0, $"delivered more than once: {string.Join(", ", duplicates)}");
        Assert.Equal(acked.Keys.Order(StringComparer.Ordinal), all.Select(d => d.Message).Order(StringComparer.Ordinal));

        foreach (var delivery in all)
        {
            // Each message comes back from the very place its produce was acknowledged at.
            Assert.Equal(acked[delivery.Message], (delivery.Partition, delivery.Offset));
        }
        foreach (var client in clients)
        {
            // One client asks one request at a time, so within a partition it sees offsets rising.
            foreach (var partition in client.GroupBy(d => d.Partition))
            {
                var offsets = partition.Select(d => d.Offset).ToList();
                Assert.True(Enumerable.Zip(offsets, offsets.Skip(1)).All(pair => pair.First < pair.Second),
                    $"partition {partition.Key} went backwards for one client: {string.Join(",", offsets)}");
            }
        }
        // Within a partition, each producer's messages sit in the order it sent them.
        foreach (var partition in all.GroupBy(d => d.Partition))
        {
            foreach (var producer in partition.OrderBy(d => d.Offset).GroupBy(d => d.Message.Split('-')[0]))
            {
                var sequence = producer.Select(d => d.Message).ToList();
                Assert.Equal(sequence.Order(StringComparer.Ordinal), sequence);
            }
        }
    }
}
