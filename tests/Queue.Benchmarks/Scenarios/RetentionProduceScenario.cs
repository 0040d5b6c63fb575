using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Queue.Benchmarks.Infrastructure;

namespace Queue.Benchmarks.Scenarios;

/// <summary>
/// Scenario 8: produce at full rate while retention deletes. The same load as scenario 1 (v1
/// batches of 500, 8 workers, 8 partitions) against two topics of one broker, one after the other
/// in the same run: one keeping everything, one with retention_messages small enough that every
/// partition moves its log start and deletes journal events throughout the window. The ratio
/// says what the background deletion costs produce (docs/retention.md).
/// </summary>
public sealed class RetentionProduceScenario : IScenario
{
    private const int Partitions = ProduceBatchedScenario.Partitions;
    private const int KeepPerPartition = 5_000;
    private const string Plain = "bench-plain";
    private const string Retained = "bench-retained";

    public string Id => "8";

    public string Name => $"durable produce while retention deletes (retention_messages = {KeepPerPartition} per partition), beside the same load without retention";

    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var database = await context.CreateDatabaseAsync();
        // Checked every 500 ms instead of every 5 s, so a short window sees many steps of deletion.
        var config = Path.Combine(Path.GetTempPath(), $"akkaqueue-bench-retention-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(config, "queue.retention.check-interval = 500ms\n", cancellationToken);
        try
        {
            var node = await context.StartNodeAsync(database, ["--config", config]);
            using var http = LoadClients.Create(node.BaseAddress, ProduceBatchedScenario.Workers);
            await CreateAsync(http, new { name = Plain, partitions = Partitions }, cancellationToken);
            await CreateAsync(http, new { name = Retained, partitions = Partitions, retention_messages = KeepPerPartition }, cancellationToken);

            // A B B A, each half the window: whatever drifts during the run (a warming node, a
            // growing table, the machine's other load) weighs on both loads alike. Run once each,
            // without retention first, the ratio ranged 0.75-1.48 between runs here.
            var half = context.Options.Window / 2;
            var plain1 = await ProduceBatchedScenario.RunLoadAsync(context, null, http, Plain, cancellationToken, half);
            var retained1 = await ProduceBatchedScenario.RunLoadAsync(context, null, http, Retained, cancellationToken, half);
            var retained2 = await ProduceBatchedScenario.RunLoadAsync(context, null, http, Retained, cancellationToken, half);
            var plain2 = await ProduceBatchedScenario.RunLoadAsync(context, null, http, Plain, cancellationToken, half);
            var plain = Combine(plain1.Result, plain2.Result);
            var retained = Combine(retained1.Result, retained2.Result);
            context.Info($"scenario 8: without retention {plain1.Result.UnitsPerSecond:0} then {plain2.Result.UnitsPerSecond:0} msg/s, " +
                         $"with retention {retained1.Result.UnitsPerSecond:0} then {retained2.Result.UnitsPerSecond:0} msg/s " +
                         $"({plain.Errors} and {retained.Errors} errors)");

            var (logStarts, highWatermarks) = await BoundsAsync(http, Retained, cancellationToken);
            // Deletion runs on after the load; the rows are counted once it has had a moment.
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            var (retainedRows, retainedWritten) = await RowsAsync(database, Retained, cancellationToken);
            var (plainRows, plainWritten) = await RowsAsync(database, Plain, cancellationToken);
            var ratio = retained.UnitsPerSecond / plain.UnitsPerSecond;
            return
            [
                new ScenarioResult
                {
                    Id = Id,
                    Name = Name,
                    Value = retained.UnitsPerSecond,
                    Unit = "msg/s",
                    ReferenceName = "the same load on a topic without retention, same broker, same run (interleaved: without, with, with, without)",
                    Reference = plain.UnitsPerSecond,
                    ReferenceUnit = "msg/s",
                    Ratio = ratio,
                    Target = "ratio >= 0.8",
                    TargetMet = ratio >= 0.8,
                    Details = new Dictionary<string, double>
                    {
                        ["errors_with_retention"] = retained.Errors,
                        ["errors_without_retention"] = plain.Errors,
                        ["request_p99_ms_with_retention"] = Percentiles.Of(retained.SortedLatenciesMs, 99),
                        ["request_p99_ms_without_retention"] = Percentiles.Of(plain.SortedLatenciesMs, 99),
                        ["messages_let_go_with_retention"] = logStarts,
                        ["messages_stored_with_retention"] = highWatermarks,
                        ["journal_rows_live_with_retention"] = retainedRows,
                        ["journal_events_written_with_retention"] = retainedWritten,
                        ["journal_rows_live_without_retention"] = plainRows,
                        ["journal_events_written_without_retention"] = plainWritten,
                    },
                    Notes = $"{ProduceBatchedScenario.Workers} closed-loop connections POSTing batches of {ProduceBatchedScenario.BatchSize} 100-byte messages to each topic in turn " +
                            "in the order without, with, with, without retention, each for half the window (so drift weighs on both alike); " +
                            "queue.retention.check-interval = 500ms. Rows: the topic's live journal rows after the run beside the events written " +
                            "(the highest sequence number per partition).",
                },
            ];
        }
        finally
        {
            File.Delete(config);
        }
    }

    /// <summary>Two loads as one: units over the sum of their windows, latencies pooled.</summary>
    private static LoadResult Combine(LoadResult a, LoadResult b) => new(
        a.Units + b.Units, a.Operations + b.Operations, a.Errors + b.Errors, a.FirstError ?? b.FirstError, a.Window + b.Window,
        a.SortedLatenciesMs.Concat(b.SortedLatenciesMs).Order().ToList(), a.AllUnits + b.AllUnits);

    private static async Task CreateAsync(HttpClient http, object body, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("v1/topics", body, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /v1/topics: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private static async Task<(long LogStarts, long HighWatermarks)> BoundsAsync(HttpClient http, string topic, CancellationToken cancellationToken)
    {
        var detail = JsonNode.Parse(await http.GetStringAsync($"v1/topics/{topic}", cancellationToken))!;
        var states = detail["partition_states"]!.AsArray();
        return (states.Sum(s => s!["log_start"]!.GetValue<long>()), states.Sum(s => s!["high_watermark"]!.GetValue<long>()));
    }

    private static async Task<(long Live, long Written)> RowsAsync(string connectionString, string topic, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT count(*) FILTER (WHERE NOT is_deleted),
                   coalesce((SELECT sum(m) FROM (SELECT max(sequence_nr) AS m FROM event_journal WHERE persistence_id LIKE @prefix GROUP BY persistence_id) s), 0)
            FROM event_journal WHERE persistence_id LIKE @prefix
            """, connection);
        command.Parameters.AddWithValue("prefix", $"partition/{topic}/%");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), Convert.ToInt64(reader.GetValue(1)));
    }
}
