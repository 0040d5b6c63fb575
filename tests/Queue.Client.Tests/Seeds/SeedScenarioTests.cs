namespace Queue.Client.Tests.Seeds;

/// <summary>
/// The seeds' system tests, run through the SDK against one node. These tests read the seed data
/// in ../shared/seed-logs (beside the repository) and fail naming the path if it is missing.
///
/// Producers and their topics come from the logs: a producer registers for exactly the topics
/// in the last column of its lines. In consistency/ (and 5P3C/, the same data with topics
/// T1..T3): producer_1 → T-1, T-2, T-3 (331 each); producer_2 → T-1 (497), T-3 (496);
/// producer_3 → T-1 (993); producer_4 → T-2 (993); producer_5 → T-2 (993). Summed per topic that
/// is T-1 = 331 + 497 + 993 = 1821, T-2 = 331 + 993 + 993 = 2317, T-3 = 331 + 496 = 827: the
/// counts 1821/2317/827 are per topic, so any consumer registered for a topic must receive
/// exactly that topic's count. The logs hold no consumer files, so which topics each consumer
/// registers for is not in the data; we use the assignment's registrations (consumer_1 → all
/// three topics, consumer_2 and consumer_3 → T-1 and T-3), which give every topic at least one
/// reader, and check the same invariant whatever the subsets are: each consumer receives exactly
/// its topics' messages (4965, 2648, 2648), nothing else, no duplicates, each producer's order kept.
/// </summary>
public sealed class SeedScenarioTests : IAsyncLifetime
{
    private ClientNode _node = null!;

    public async Task InitializeAsync() => _node = await ClientNode.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Consistency_five_producers_three_consumers_on_one_partition_per_topic()
    {
        var producers = SeedLogs.Load("consistency");
        Assert.Equal(new Dictionary<string, int> { ["T-1"] = 1821, ["T-2"] = 2317, ["T-3"] = 827 }, SeedLogs.CountsPerTopic(producers));
        var consumers = new Dictionary<string, string[]>
        {
            ["consumer_1"] = ["T-1", "T-2", "T-3"],
            ["consumer_2"] = ["T-1", "T-3"],
            ["consumer_3"] = ["T-1", "T-3"],
        };

        var outcome = await RunAsync(producers, consumers, partitions: 1);

        Verify(producers, consumers, outcome);
        Assert.Equal(4965, outcome.Received.Where(r => r.Key.Consumer == "consumer_1").Sum(r => r.Value.Count));
        Assert.Equal(2648, outcome.Received.Where(r => r.Key.Consumer == "consumer_2").Sum(r => r.Value.Count));
    }

    [Fact]
    public async Task Two_producers_two_consumers()
    {
        // 2P2C: producer_1 and producer_2 each send 3 lines to T1 and 2 to T2. The logs name no
        // consumer registrations; consumer_1 reads both topics and consumer_2 only T1, so both a
        // full and a partial subscription are checked. Two partitions, keyed by producer.
        var producers = SeedLogs.Load("2P2C");
        Assert.Equal(new Dictionary<string, int> { ["T1"] = 6, ["T2"] = 4 }, SeedLogs.CountsPerTopic(producers));
        var consumers = new Dictionary<string, string[]> { ["consumer_1"] = ["T1", "T2"], ["consumer_2"] = ["T1"] };

        Verify(producers, consumers, await RunAsync(producers, consumers, partitions: 2));
    }

    [Fact]
    public async Task Five_producers_three_consumers_over_three_partitions()
    {
        // 5P3C: the consistency data under topic names T1..T3, here with three partitions per
        // topic and each producer keyed by its name, so order is checked across a multi-partition
        // consumer too.
        var producers = SeedLogs.Load("5P3C");
        Assert.Equal(new Dictionary<string, int> { ["T1"] = 1821, ["T2"] = 2317, ["T3"] = 827 }, SeedLogs.CountsPerTopic(producers));
        var consumers = new Dictionary<string, string[]>
        {
            ["consumer_1"] = ["T1", "T2", "T3"],
            ["consumer_2"] = ["T1", "T3"],
            ["consumer_3"] = ["T1", "T3"],
        };

        Verify(producers, consumers, await RunAsync(producers, consumers, partitions: 3));
    }

    private async Task<SeedOutcome> RunAsync(IReadOnlyList<SeedProducerLog> producers, Dictionary<string, string[]> consumers, int partitions)
    {
        // A bound on a hung run, not a performance assertion.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        return await new SeedScenario(_node.Client, producers, consumers) { Partitions = partitions }.RunAsync(timeout.Token);
    }

    private static void Verify(IReadOnlyList<SeedProducerLog> producers, Dictionary<string, string[]> consumers, SeedOutcome outcome)
    {
        // Nothing was appended twice, nothing lost: the server holds exactly the logs' counts.
        Assert.Equal(outcome.Expected.ToDictionary(e => e.Key, e => (long)e.Value), outcome.Stored);

        var producerOf = outcome.ProducerIds.ToDictionary(p => p.Value, p => p.Key.Producer);
        foreach (var (consumer, topics) in consumers)
        {
            Assert.Equal(topics.Order(), outcome.Received.Keys.Where(k => k.Consumer == consumer).Select(k => k.Topic).Order());
            foreach (var topic in topics)
            {
                var received = outcome.Received[(consumer, topic)];
                var what = $"{consumer} on {topic}";
                Assert.True(outcome.Expected[topic] == received.Count, $"{what}: {received.Count} messages, expected {outcome.Expected[topic]}");
                Assert.All(received, m => Assert.Equal(topic, m.Topic));
                Assert.Equal(0, outcome.Backlog[(consumer, topic)]);

                // Per partition: offsets dense from 0, none twice, in order.
                foreach (var partition in received.GroupBy(m => m.Partition))
                {
                    Assert.Equal(Enumerable.Range(0, partition.Count()).Select(i => (long)i), partition.Select(m => m.Offset));
                }
                // Per producer: exactly its lines for this topic, in its file order.
                foreach (var producer in producers.Where(p => p.Topics.Contains(topic)))
                {
                    var id = outcome.ProducerIds[(producer.Name, topic)];
                    var fromProducer = received.Where(m => m.ProducerId == id).Select(m => m.Value).ToList();
                    Assert.True(producer.LinesFor(topic).SequenceEqual(fromProducer),
                        $"{what}: {producer.Name}'s {fromProducer.Count} messages are not its {producer.LinesFor(topic).Count} lines in order");
                }
                Assert.All(received, m => Assert.True(m.ProducerId is { } id && producerOf.ContainsKey(id), $"{what}: message from unknown producer {m.ProducerId}"));
            }
        }
    }
}
