using System.Collections.Concurrent;
using System.Net;
using Npgsql;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.Node.Tests.Persistence;

/// <summary>
/// A real node process is killed with SIGKILL while producers are writing to it, then started
/// again on the same database. Everything acknowledged must be there, once, in order; a consumer
/// that was reading before the crash continues exactly where it stopped.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CrashRestartTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    private const int Partitions = 4;
    private const int Producers = 8;

    [Fact]
    public async Task After_kill_9_under_load_every_acknowledged_message_is_consumed_exactly_once_in_order()
    {
        // Trust authentication ignores the password, so it is safe to add one and then check the
        // node never prints it.
        var password = "secret-" + Guid.NewGuid().ToString("N")[..10];
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = password }.ConnectionString;
        string[] args = ["--journal", "postgres", "--postgres", connectionString];
        var topic = "crash-" + Guid.NewGuid().ToString("N")[..8];
        var acked = new ConcurrentBag<(int Partition, long Offset, string Message)>();
        var beforeCrash = new List<(int Partition, long Offset, string Message)>();
        long reader, bystander;
        string firstOutput;

        await using (var first = await NodeProcess.StartAsync(args))
        {
            await first.Http.CreateTopicAsync(topic, Partitions);
            var producerIds = new List<long>();
            for (var i = 0; i < Producers; i++)
            {
                producerIds.Add(await first.Http.RegisterProducerAsync(topic));
            }
            reader = await first.Http.RegisterConsumerAsync(topic, "earliest");
            bystander = await first.Http.RegisterConsumerAsync(topic, "earliest");

            using var stopProducing = new CancellationTokenSource();
            var producers = producerIds.Select((id, index) => Task.Run(() => ProduceUntilStoppedAsync(first.Http, topic, id, index, acked, stopProducing.Token))).ToList();

            // Phase 1: the reader consumes alongside the producers, then stops (its last answers
            // are all received, so "where it was" is known exactly).
            using (var stopReading = new CancellationTokenSource())
            {
                var reading = Task.Run(() => ConsumeUntilStoppedAsync(first.Http, topic, reader, beforeCrash, stopReading.Token));
                await Eventually.True(() => acked.Count >= 200, TimeSpan.FromSeconds(60), "200 messages are acknowledged");
                await stopReading.CancelAsync();
                await reading;
            }

            // Phase 2: kill -9 in the middle of the producers' traffic.
            await Eventually.True(() => acked.Count >= 400, TimeSpan.FromSeconds(60), "400 messages are acknowledged");
            await first.KillAsync();
            await stopProducing.CancelAsync();
            await Task.WhenAll(producers);
            firstOutput = first.Output;
        }
        output.WriteLine($"killed after {acked.Count} acknowledged produces; the reader had consumed {beforeCrash.Count}");

        await using var second = await NodeProcess.StartAsync(args);
        var afterCrash = await second.Http.DrainAsync(topic, reader);
        var everything = await second.Http.DrainAsync(topic, bystander);
        output.WriteLine($"after restart: the reader consumed {afterCrash.Count} more, the bystander {everything.Count}");

        // The full log, per partition: dense offsets from 0, each acknowledged message at the
        // offset its ack named. (Produces in flight at the kill may or may not be there; if they
        // are, they are there once.)
        var log = everything.GroupBy(d => d.Partition).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (partition, messages) in log)
        {
            Assert.Equal(Enumerable.Range(0, messages.Count).Select(i => (long)i), messages.Select(m => m.Offset));
            Assert.Equal(messages.Count, messages.Select(m => m.Message).Distinct().Count());
        }
        foreach (var ack in acked)
        {
            Assert.True(log.TryGetValue(ack.Partition, out var messages) && ack.Offset < messages.Count,
                $"acknowledged {ack} is missing after the crash");
            Assert.Equal(ack.Message, messages[(int)ack.Offset].Message);
        }
        // Each producer's messages keep their order within a partition.
        foreach (var messages in log.Values)
        {
            foreach (var byProducer in messages.GroupBy(m => m.Message.Split('-')[0]))
            {
                var sequence = byProducer.Select(m => int.Parse(m.Message.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
                Assert.Equal(sequence.Order().ToList(), sequence);
            }
        }

        // The reader: what it got before and after the crash is the whole log, each message
        // exactly once and in order per partition, so nothing was skipped or repeated.
        var readerDeliveries = beforeCrash.Concat(afterCrash).GroupBy(d => d.Partition).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(log.Keys.Order(), readerDeliveries.Keys.Order());
        foreach (var (partition, messages) in log)
        {
            Assert.Equal(messages, readerDeliveries[partition]);
        }

        Assert.DoesNotContain(password, firstOutput + second.Output, StringComparison.Ordinal);
    }

    private static async Task ProduceUntilStoppedAsync(
        HttpClient http, string topic, long producer, int index, ConcurrentBag<(int, long, string)> acked, CancellationToken stop)
    {
        for (var sequence = 0; !stop.IsCancellationRequested; sequence++)
        {
            var message = $"p{index}-{sequence}";
            try
            {
                var (status, body) = await http.ProduceAsync(topic, producer, message);
                if (status == HttpStatusCode.OK)
                {
                    acked.Add((body.GetProperty("partition").GetInt32(), body.GetProperty("offset").GetInt64(), message));
                }
            }
            catch (HttpRequestException)
            {
                // The node is gone: this produce's outcome is unknown, and there is no one left to ask.
                return;
            }
        }
    }

    private static async Task ConsumeUntilStoppedAsync(
        HttpClient http, string topic, long consumer, List<(int, long, string)> delivered, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var (status, body) = await http.ConsumeAsync(topic, consumer);
            if (status == HttpStatusCode.OK)
            {
                delivered.Add((body.GetProperty("partition").GetInt32(), body.GetProperty("offset").GetInt64(), body.GetProperty("message").GetString()!));
            }
            else
            {
                await Task.Yield();
            }
        }
    }
}
