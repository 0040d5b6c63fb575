using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Queue.Benchmarks.Infrastructure;

namespace Queue.Benchmarks.Scenarios;

/// <summary>
/// Scenario 6: a broker killed with SIGKILL and restarted over a partition of N journaled
/// messages; the time from the restart command until that partition serves again (first answer
/// that needs the recovered partition), and until a consume from deep in the log (offset 0.4·N).
/// The log is written through the product — v1 batches of <see cref="SeedBatch"/> messages, the
/// consumer's position set with the v1 commit API — so the journal holds what a broker writes.
/// </summary>
public sealed class RecoveryScenario : IScenario
{
    private const string Topic = "big";

    /// <summary>Messages per seeding request: the v1 API's largest batch (about 1.2 MB of JSON, under the body limit).</summary>
    private const int SeedBatch = 10_000;

    /// <summary>Concurrent seeding requests; the partition's group commit merges what arrives during a write.</summary>
    private const int SeedConnections = 4;

    public string Id => "6";

    public string Name => "recovery: restart a broker over N journaled messages → serving";

    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var messages = context.Options.RecoveryMessages;
        var name = $"recovery: restart a broker (kill -9) over {messages:#,0} journaled messages → serving";
        var database = await context.CreateDatabaseAsync();
        var position = messages * 2L / 5;
        long consumer;
        var seeding = Stopwatch.StartNew();
        // The restart is the same broker (same transport address, as a supervisor restarts it), so it
        // takes its own leases back at once; a node on a new address would wait for them to lapse (ttl).
        var transport = Queue.Testing.FreePort.Next();
        var first = await context.StartNodeAsync(database, transportPort: transport);
        {
            if (!await QueueHttp.TryCreateV1TopicAsync(first.Http, Topic, 1, cancellationToken))
            {
                return [ScenarioResult.NotAvailable(Id, name, "v1 API not merged yet (POST /v1/topics answered 404)", "< 2 s")];
            }
            consumer = await QueueHttp.RegisterSeedConsumerAsync(first.Http, Topic, 0, cancellationToken);
            using var http = LoadClients.Create(first.BaseAddress, SeedConnections);
            http.Timeout = TimeSpan.FromSeconds(120);
            var next = -1;
            var batches = (messages + SeedBatch - 1) / SeedBatch;
            await Task.WhenAll(Enumerable.Range(0, SeedConnections).Select(async _ =>
            {
                for (var batch = Interlocked.Increment(ref next); batch < batches; batch = Interlocked.Increment(ref next))
                {
                    await ProduceAsync(http, batch * SeedBatch, Math.Min(SeedBatch, messages - batch * SeedBatch), cancellationToken);
                }
            }));
            var held = await QueueHttp.V1TopicMessagesAsync(first.Http, Topic, cancellationToken);
            if (held != messages)
            {
                throw new InvalidOperationException($"seeding produced {messages:#,0} acknowledged messages but the topic holds {held:#,0}");
            }
            // The position a consumer that processed 40 % of the log has committed (v1 commit: next offset to read).
            await QueueHttp.RequireAsync(await first.Http.PostAsJsonAsync($"v1/consumers/{consumer}/commit",
                new { partition = 0, offset = position }, cancellationToken), cancellationToken);
            await first.KillAsync();
        }
        seeding.Stop();
        context.Info($"scenario 6: produced {messages:#,0} messages through v1 batches of {SeedBatch:#,0} in {seeding.Elapsed.TotalSeconds:0.0} s " +
                     $"({messages / seeding.Elapsed.TotalSeconds:#,0} msg/s); killed the broker (kill -9), restarting it");
        var journal = await JournalShapeAsync(database, cancellationToken);

        var restart = Stopwatch.StartNew();
        var node = await context.StartNodeAsync(database, transportPort: transport);
        var listening = restart.Elapsed;
        var retries = 0;
        var size = await RetryUnavailableAsync(() => node.Http.GetAsync($"size?topic={Topic}&consumer_id={consumer}", cancellationToken), () => retries++, cancellationToken);
        var serving = restart.Elapsed;
        var consumed = await RetryUnavailableAsync(() => node.Http.GetAsync($"consumer/consume?topic={Topic}&consumer_id={consumer}", cancellationToken), () => retries++, cancellationToken);
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
                    ["seeding_msg_per_s"] = messages / seeding.Elapsed.TotalSeconds,
                    ["journal_events"] = journal.Events,
                    ["journal_snapshots"] = journal.Snapshots,
                    ["retries_after_503"] = retries,
                },
                Notes = $"Log written through the product: v1 batches of {SeedBatch:#,0} 100-byte messages to partition 0 from {SeedConnections} " +
                        "connections (group commit: one journal event per batch), consumer position set to 0.4·N with the v1 commit API, " +
                        "then kill -9; restarted on the same transport address (so it re-takes its own PostgreSQL leases at once). 503s are retried " +
                        "every 20 ms, as a client would. Value: from starting the new node process until GET /size for the partition answers (the partition " +
                        "actor has recovered: newest snapshot plus the events after it, tail cache). Includes .NET process start and Akka " +
                        "cluster-of-one start. first_consume_at_40pct_s adds a consume from offset 0.4·N (a cold journal range read).",
            },
        ];
    }

    /// <summary>The request again (20 ms later) while it answers 503, the queue's "retry later", as a client would.</summary>
    private static async Task<JsonElement> RetryUnavailableAsync(Func<Task<HttpResponseMessage>> send, Action retried, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var response = await send();
            if (response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable || deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                return await QueueHttp.RequireAsync(response, cancellationToken);
            }
            response.Dispose();
            retried();
            await Task.Delay(20, cancellationToken);
        }
    }

    private static async Task ProduceAsync(HttpClient http, long first, int count, CancellationToken cancellationToken)
    {
        var body = new MemoryStream(count * (Payloads.MessageBytes + 32));
        await using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("messages");
            for (var i = 0; i < count; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("value", Payloads.Message(first + i));
                writer.WriteNumber("partition", 0);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        using var content = new ByteArrayContent(body.GetBuffer(), 0, (int)body.Length);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await QueueHttp.RequireAsync(await http.PostAsync($"v1/topics/{Topic}/messages", content, cancellationToken), cancellationToken);
    }

    /// <summary>Rows in Akka.Persistence.Sql's journal and snapshot tables for the partition (for the details; -1 if unreadable).</summary>
    private static async Task<(long Events, long Snapshots)> JournalShapeAsync(string database, CancellationToken cancellationToken)
    {
        try
        {
            await using var dataSource = Npgsql.NpgsqlDataSource.Create(database);
            await using var command = dataSource.CreateCommand(
                $"SELECT (SELECT count(*) FROM event_journal WHERE persistence_id LIKE '%{Topic}%'), " +
                $"(SELECT count(*) FROM snapshot_store WHERE persistence_id LIKE '%{Topic}%')");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return (reader.GetInt64(0), reader.GetInt64(1));
        }
        catch (Npgsql.PostgresException)
        {
            return (-1, -1);
        }
    }
}
