using System.Collections.Concurrent;
using Queue.Testing;

namespace Queue.Client.Tests.Seeds;

/// <summary>
/// Runs a seed scenario through the SDK, whatever the client's transport: creates the topics
/// (under <see cref="TopicPrefix"/>, so one cluster serves many runs), registers every consumer on
/// each of its topics (from the earliest offset), then lets all producers send their log lines at
/// once, each in file order, while the consumers long-poll. Consumers read until they hold the
/// whole log of their topics as the server has it after the last acknowledgement. Returns what
/// each consumer received, what each send was acknowledged with, and the counts the server holds.
/// </summary>
internal sealed class SeedScenario(QueueClient client, SeedCase seedCase)
{
    /// <summary>Put before every topic name of the logs.</summary>
    public string TopicPrefix { get; init; } = "";

    /// <summary>Run once, concurrently with the rest, when a third of all lines are acknowledged (e.g. kill a broker).</summary>
    public Func<CancellationToken, Task>? MidRun { get; init; }

    public async Task<SeedOutcome> RunAsync(CancellationToken cancellationToken)
    {
        var producers = SeedLogs.Load(seedCase.Name);
        var expected = SeedLogs.CountsPerTopic(producers);
        if (!expected.OrderBy(e => e.Key).SequenceEqual(seedCase.ExpectedCounts.OrderBy(e => e.Key)))
        {
            throw new InvalidOperationException($"The {seedCase.Name} logs hold {string.Join(", ", expected.Select(e => $"{e.Key}={e.Value}"))}, not the expected counts");
        }
        foreach (var topic in expected.Keys)
        {
            await client.Admin.CreateTopicAsync(TopicPrefix + topic, seedCase.Partitions, cancellationToken);
        }

        var subscriptions = new List<(string Consumer, string Topic, QueueConsumer Reader, List<ConsumedMessage> Received)>();
        foreach (var (name, topics) in seedCase.Consumers)
        {
            foreach (var topic in topics)
            {
                var reader = await client.CreateConsumerAsync(TopicPrefix + topic,
                    new QueueConsumerOptions { From = ConsumerStart.Earliest, MaxPollMessages = 200, PollWait = TimeSpan.FromSeconds(2) }, cancellationToken);
                subscriptions.Add((name, topic, reader, []));
            }
        }

        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = subscriptions.Select(s => ReadAsync(s.Reader, s.Received, stopReading.Token)).ToList();

        Dictionary<string, long> stored;
        ConcurrentDictionary<(string Producer, string Topic), long> producerIds;
        ConcurrentDictionary<(string Producer, string Topic), IReadOnlyList<MessageOffset>> acks;
        try
        {
            var total = producers.Sum(p => p.Lines.Count);
            var acknowledged = 0;
            var midRunDue = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var midRun = MidRun is null ? Task.CompletedTask : RunMidRunAsync(midRunDue.Task, MidRun, cancellationToken);

            producerIds = new ConcurrentDictionary<(string Producer, string Topic), long>();
            acks = new ConcurrentDictionary<(string Producer, string Topic), IReadOnlyList<MessageOffset>>();
            await Task.WhenAll(producers.Select(async log =>
            {
                await using var producer = client.CreateProducer();
                var key = seedCase.Partitions > 1 ? log.Name : null;
                var offsets = await Task.WhenAll(log.Lines.Select(async line =>
                {
                    var offset = await producer.SendAsync(TopicPrefix + line.Topic, line.Text, key, cancellationToken: cancellationToken);
                    if (Interlocked.Increment(ref acknowledged) == total / 3)
                    {
                        midRunDue.TrySetResult();
                    }
                    return offset;
                }));
                foreach (var topic in log.Topics)
                {
                    producerIds[(log.Name, topic)] = producer.ProducerIdFor(TopicPrefix + topic)!.Value;
                    acks[(log.Name, topic)] = log.Lines.Select((line, i) => (line, i)).Where(x => x.line.Topic == topic).Select(x => offsets[x.i]).ToList();
                }
            }));
            midRunDue.TrySetResult();
            await midRun;

            // Every send is acknowledged, so nothing more will be appended: the logs' ends now are
            // what each reader must reach (more than the logs' counts only if a batch was appended twice).
            stored = new Dictionary<string, long>();
            foreach (var topic in expected.Keys)
            {
                stored[topic] = (await client.Admin.DescribeTopicAsync(TopicPrefix + topic, cancellationToken)).Partitions.Sum(p => p.HighWatermark);
            }
            await Eventually.True(() => subscriptions.All(s => Count(s.Received) >= stored[s.Topic]), TimeSpan.FromSeconds(60),
                "every consumer has read its topics to the end");
        }
        finally
        {
            // Also on failure: no reader keeps polling a cluster the fixture is about to stop.
            await stopReading.CancelAsync();
            await Task.WhenAll(reading);
        }

        var received = new Dictionary<(string Consumer, string Topic), IReadOnlyList<ConsumedMessage>>();
        var backlog = new Dictionary<(string Consumer, string Topic), long>();
        foreach (var (name, topic, reader, messages) in subscriptions)
        {
            await reader.CommitAsync(cancellationToken);
            received[(name, topic)] = messages;
            backlog[(name, topic)] = await reader.SizeAsync(cancellationToken);
            await reader.DisposeAsync();
        }
        return new SeedOutcome(seedCase, producers, TopicPrefix, expected, received, producerIds, acks, backlog, stored);
    }

    private static int Count(List<ConsumedMessage> messages)
    {
        lock (messages)
        {
            return messages.Count;
        }
    }

    private static async Task RunMidRunAsync(Task due, Func<CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        await due;
        await action(cancellationToken);
    }

    /// <summary>Reads until told to stop; the reader's position is committed afterwards by the caller.</summary>
    private static async Task ReadAsync(QueueConsumer reader, List<ConsumedMessage> into, CancellationToken stop)
    {
        try
        {
            await foreach (var message in reader.ConsumeAsync(stop))
            {
                lock (into)
                {
                    into.Add(message);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Told to stop: everything expected has arrived.
        }
    }
}
