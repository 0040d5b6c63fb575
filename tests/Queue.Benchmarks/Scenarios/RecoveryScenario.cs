using System.Diagnostics;
using Npgsql;
using Queue.Benchmarks.Infrastructure;
using Queue.Testing;

namespace Queue.Benchmarks.Scenarios;

/// <summary>
/// Scenario 6: a broker killed with SIGKILL and restarted over a partition of 1,000,000
/// journaled messages; the time from the restart command until that partition serves again
/// (first answer that needs the recovered partition), and until a consume from deep in the log.
/// </summary>
public sealed class RecoveryScenario : IScenario
{
    private const string Topic = "big";

    public string Id => "6";

    public string Name => "recovery: restart a broker over N journaled messages → serving";

    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var messages = context.Options.RecoveryMessages;
        var name = $"recovery: restart a broker (kill -9) over {messages:#,0} journaled messages → serving";
        var database = await context.CreateDatabaseAsync();
        long consumer;
        var first = await context.StartNodeAsync(database);
        {
            await QueueHttp.CreateSeedTopicAsync(first.Http, Topic, 1, cancellationToken);
            consumer = await QueueHttp.RegisterSeedConsumerAsync(first.Http, Topic, 0, cancellationToken);
            await first.KillAsync();
        }

        // The journal as a long-running broker would have left it, written directly: producing a
        // million messages through HTTP would only make the scenario slow, not different.
        var seeding = Stopwatch.StartNew();
        var position = messages * 2L / 5;
        await using (var dataSource = NpgsqlDataSource.Create(database))
        await using (var seed = dataSource.CreateCommand($"""
            INSERT INTO messages (topic, partition, msg_offset, payload, producer_id, created_at)
                 SELECT '{Topic}', 0, g, 'bench message ' || lpad(g::text, 12, '0') || ' ' || repeat('x', 73), 1, now() FROM generate_series(0, {messages - 1}) AS g;
            UPDATE partitions SET high_watermark = {messages} WHERE topic = '{Topic}' AND partition = 0;
            UPDATE consumer_positions SET position = {position} WHERE topic = '{Topic}' AND partition = 0 AND consumer_id = {consumer};
            ANALYZE messages;
            CHECKPOINT;
            """))
        {
            seed.CommandTimeout = 600;
            await seed.ExecuteNonQueryAsync(cancellationToken);
        }
        context.Info($"scenario 6: seeded {messages:#,0} messages in {seeding.Elapsed.TotalSeconds:0.0} s; restarting the broker");

        var restart = Stopwatch.StartNew();
        var node = await context.StartNodeAsync(database);
        var listening = restart.Elapsed;
        var size = await QueueHttp.RequireAsync(await node.Http.GetAsync($"size?topic={Topic}&consumer_id={consumer}", cancellationToken), cancellationToken);
        var serving = restart.Elapsed;
        var consumed = await QueueHttp.RequireAsync(await node.Http.GetAsync($"consumer/consume?topic={Topic}&consumer_id={consumer}", cancellationToken), cancellationToken);
        var deepRead = restart.Elapsed;
        if (size.GetProperty("size").GetInt64() != messages - position || consumed.GetProperty("offset").GetInt64() != position)
        {
            throw new InvalidOperationException($"recovered partition answers wrongly: size {size}, consume {consumed}");
        }

        return
        [
            new ScenarioResult
            {
                Id = Id,
                Name = name,
                Value = serving.TotalSeconds,
                Unit = "s",
                Target = "< 2 s",
                TargetMet = serving < TimeSpan.FromSeconds(2),
                Details = new Dictionary<string, double>
                {
                    ["messages"] = messages,
                    ["process_start_to_health_s"] = listening.TotalSeconds,
                    ["partition_recovered_s"] = serving.TotalSeconds,
                    ["first_consume_at_40pct_s"] = deepRead.TotalSeconds,
                    ["seeding_s"] = seeding.Elapsed.TotalSeconds,
                },
                Notes = "From starting the new node process until GET /size for the partition answers (the partition actor has recovered: claim, " +
                        "positions, 10,000-message tail). Includes .NET process start and schema check. first_consume_at_40pct_s adds a consume " +
                        "from offset 0.4·N (a cold page read from the journal).",
            },
        ];
    }
}
