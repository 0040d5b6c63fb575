using System.Diagnostics;
using System.Net;
using Npgsql;
using Queue.Core.Log;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.Node.Tests.Persistence;

/// <summary>
/// A node restarted over 1,000,000 journaled messages: how long until it serves that partition.
/// The figure is printed (and recorded in docs/persistence.md), not asserted: timing belongs to
/// benchmarks. What is asserted is that the node serves correctly, from the right position.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RecoveryTimeTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    private const int Messages = 1_000_000;
    private const long ConsumerPosition = 400_000;

    [Fact]
    public async Task A_node_over_a_million_messages_serves_again_quickly_without_loading_the_log()
    {
        const string topic = "big";
        long consumer;
        var seeding = Stopwatch.StartNew();
        await using (var harness = await PostgresJournalHarness.StartAsync(database.ConnectionString))
        {
            await harness.Catalog.CreateTopicAsync(topic, 1, CancellationToken.None);
            consumer = (await harness.Catalog.RegisterConsumerAsync(topic, null, StartFrom.Earliest, CancellationToken.None)).Id;
            await using var seed = harness.DataSource.CreateCommand($"""
                INSERT INTO messages (topic, partition, msg_offset, payload, producer_id, created_at)
                     SELECT '{topic}', 0, g, 'message ' || g, 1, now() FROM generate_series(0, {Messages - 1}) AS g;
                INSERT INTO partitions (topic, partition, epoch, owner, high_watermark) VALUES ('{topic}', 0, 1, 'seed', {Messages});
                INSERT INTO consumer_positions (topic, partition, consumer_id, position) VALUES ('{topic}', 0, {consumer}, {ConsumerPosition});
                ANALYZE messages;
                """);
            seed.CommandTimeout = 600;
            await seed.ExecuteNonQueryAsync();
        }
        output.WriteLine($"seeded {Messages:N0} messages in {seeding.Elapsed.TotalSeconds:0.0} s");

        var restart = Stopwatch.StartNew();
        await using var node = await NodeProcess.StartAsync(["--postgres", database.ConnectionString]);
        var listening = restart.Elapsed;
        var size = await node.Http.SizeAsync(topic, consumer);
        var recovered = restart.Elapsed;
        var (status, body) = await node.Http.ConsumeAsync(topic, consumer);
        var serving = restart.Elapsed;

        output.WriteLine($"restart over {Messages:N0} messages: process listening after {listening.TotalMilliseconds:0} ms, " +
            $"partition recovered (size answered) after {recovered.TotalMilliseconds:0} ms, first consume (cold page read) after {serving.TotalMilliseconds:0} ms");
        Assert.Equal(Messages - ConsumerPosition, size);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(ConsumerPosition, body.GetProperty("offset").GetInt64());
        Assert.Equal($"message {ConsumerPosition}", body.GetProperty("message").GetString());

        // In process, without the process start: the journal's own recovery of that partition.
        await using var again = await PostgresJournalHarness.StartAsync(database.ConnectionString);
        var recovery = Stopwatch.StartNew();
        var state = await again.Journal.RecoverAsync(new PartitionId(topic, 0), null, 10_000, CancellationToken.None);
        output.WriteLine($"RecoverAsync alone (10,000-message tail): {recovery.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(Messages, state.HighWatermark);
        Assert.Equal(10_000, state.Tail.Count);
    }
}
