using System.Collections.Concurrent;

namespace Queue.Client.Tests.Seeds;

/// <summary>
/// Runs a seed scenario through the SDK: creates the topics, registers every consumer on each of
/// its topics (from the earliest offset), then lets all producers send their log lines at once,
/// each in file order, while the consumers long-poll. Returns what each consumer received per
/// topic and which producer id each seed producer got per topic.
/// </summary>
internal sealed class SeedScenario(QueueClient client, IReadOnlyList<SeedProducerLog> producers, IReadOnlyDictionary<string, string[]> consumers)
{
    /// <summary>Partitions per topic; with more than one, producers key by their name so each keeps one partition (and its order).</summary>
    public int Partitions { get; init; } = 1;

    public async Task<SeedOutcome> RunAsync(CancellationToken cancellationToken)
    {
        var expected = SeedLogs.CountsPerTopic(producers);
        foreach (var topic in expected.Keys)
        {
            await client.Admin.CreateTopicAsync(topic, Partitions, cancellationToken);
        }

        var subscriptions = new List<(string Consumer, string Topic, QueueConsumer Reader)>();
        foreach (var (name, topics) in consumers)
        {
            foreach (var topic in topics)
            {
                var reader = await client.CreateConsumerAsync(topic, new QueueConsumerOptions { From = ConsumerStart.Earliest, MaxPollMessages = 200 }, cancellationToken);
                subscriptions.Add((name, topic, reader));
            }
        }

        var received = new ConcurrentDictionary<(string Consumer, string Topic), IReadOnlyList<ConsumedMessage>>();
        var reading = subscriptions.Select(async s =>
        {
            received[(s.Consumer, s.Topic)] = await ReadAsync(s.Reader, expected[s.Topic], cancellationToken);
        }).ToList();

        var producerIds = new ConcurrentDictionary<(string Producer, string Topic), long>();
        await Task.WhenAll(producers.Select(async log =>
        {
            await using var producer = client.CreateProducer();
            var key = Partitions > 1 ? log.Name : null;
            await Task.WhenAll(log.Lines.Select(line => producer.SendAsync(line.Topic, line.Text, key, cancellationToken: cancellationToken)));
            foreach (var topic in log.Topics)
            {
                producerIds[(log.Name, topic)] = producer.ProducerIdFor(topic)!.Value;
            }
        }));
        await Task.WhenAll(reading);

        var backlog = new Dictionary<(string Consumer, string Topic), long>();
        foreach (var (name, topic, reader) in subscriptions)
        {
            backlog[(name, topic)] = await reader.SizeAsync(cancellationToken);
            await reader.DisposeAsync();
        }
        var stored = new Dictionary<string, long>();
        foreach (var topic in expected.Keys)
        {
            stored[topic] = (await client.Admin.DescribeTopicAsync(topic, cancellationToken)).Partitions.Sum(p => p.HighWatermark);
        }
        return new SeedOutcome(expected, received, producerIds, backlog, stored);
    }

    /// <summary>Reads until the topic's whole count has arrived, then commits everything read.</summary>
    private static async Task<IReadOnlyList<ConsumedMessage>> ReadAsync(QueueConsumer reader, int count, CancellationToken cancellationToken)
    {
        var messages = new List<ConsumedMessage>(count);
        await foreach (var message in reader.ConsumeAsync(cancellationToken))
        {
            messages.Add(message);
            if (messages.Count == count)
            {
                break;
            }
        }
        await reader.CommitAsync(cancellationToken);
        return messages;
    }
}
