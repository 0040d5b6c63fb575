using System.Net.Http.Headers;
using System.Text.Json;
using Queue.Benchmarks.Infrastructure;
using Queue.Benchmarks.References;

namespace Queue.Benchmarks.Scenarios;

/// <summary>
/// Scenario 1: durable produce throughput through the v1 batch API (POST /v1/topics/{t}/messages,
/// docs/api-v1.md), one broker, 8 partitions, 100-byte messages; beside raw binary COPY of the
/// same rows into the same table shape. Also samples the broker's RSS for scenario 7.
/// </summary>
public sealed class ProduceBatchedScenario : IScenario
{
    public const int Partitions = 8;
    public const int BatchSize = 500;
    public const int Workers = 8;
    private const string Topic = "bench";

    public string Id => "1";

    public string Name => $"durable produce, v1 batches of {BatchSize}, 1 broker, {Partitions} partitions";

    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var database = await context.CreateDatabaseAsync();
        var node = await context.StartNodeAsync(database);
        using var http = LoadClients.Create(node.BaseAddress, Workers);
        if (!await QueueHttp.TryCreateV1TopicAsync(http, Topic, Partitions, cancellationToken))
        {
            const string reason = "v1 batch API not merged yet (POST /v1/topics answered 404)";
            return
            [
                ScenarioResult.NotAvailable(Id, Name, reason, "ratio >= 0.5"),
                ScenarioResult.NotAvailable("7.load", "memory: broker RSS under scenario 1", "scenario 1 did not run: " + reason, "< 200 MB"),
            ];
        }

        var cpu = new CpuMeter([node.Id], context.Postgres.AdminConnectionString);
        await cpu.StartAsync(cancellationToken);
        var load = await RunLoadAsync(context, node.Id, http, Topic, cancellationToken);
        var cpuUse = await cpu.StopAsync(load.Result.AllUnits, cancellationToken);
        var stored = await QueueHttp.V1TopicMessagesAsync(http, Topic, cancellationToken);
        context.Info($"scenario 1: {load.Result.UnitsPerSecond:0} msg/s through the queue ({load.Result.Errors} errors); {stored} messages stored; copying as many rows raw");

        var copyMeter = new CpuMeter([], context.Postgres.AdminConnectionString);
        await copyMeter.StartAsync(cancellationToken);
        var (copyRate, copyElapsed, copyCommits) = await CopyReference.RunAsync(
            database, Math.Max(load.Result.Units, 50_000), Workers, BatchSize, Partitions, cancellationToken);
        var copyCpu = await copyMeter.StopAsync(Math.Max(load.Result.Units, 50_000), cancellationToken);
        var ratio = load.Result.UnitsPerSecond / copyRate;
        return
        [
            new ScenarioResult
            {
                Id = Id,
                Name = Name,
                Value = load.Result.UnitsPerSecond,
                Unit = "msg/s",
                ReferenceName = $"raw binary COPY, {Workers} connections, {BatchSize} rows per COPY",
                Reference = copyRate,
                ReferenceUnit = "rows/s",
                Ratio = ratio,
                Target = "ratio >= 0.5",
                TargetMet = ratio >= 0.5,
                Details = new Dictionary<string, double>
                {
                    ["messages_acked_in_window"] = load.Result.Units,
                    ["messages_stored_in_total"] = stored,
                    ["errors"] = load.Result.Errors,
                    ["request_p50_ms"] = Percentiles.Of(load.Result.SortedLatenciesMs, 50),
                    ["request_p99_ms"] = Percentiles.Of(load.Result.SortedLatenciesMs, 99),
                    ["copy_rows"] = Math.Max(load.Result.Units, 50_000),
                    ["copy_seconds"] = copyElapsed.TotalSeconds,
                    ["copy_commits"] = copyCommits,
                    ["copy_cpu_ms_per_1k_postgres"] = copyCpu["cpu_ms_per_1k_postgres"],
                    ["copy_cpu_ms_per_1k_driver"] = copyCpu["cpu_ms_per_1k_driver"],
                    ["copy_machine_busy_pct"] = copyCpu["machine_busy_pct"],
                }.Concat(cpuUse).ToDictionary(),
                Notes = $"{Workers} closed-loop HTTP/1.1 connections, each POSTing a batch of {BatchSize} key-less 100-byte messages " +
                        "(each batch lands on one partition, round-robin); counted: batches acknowledged (200, after commit) inside the window." +
                        (load.Result.FirstError is { } e ? $" First error: {e}" : ""),
            },
            MemoryUnderLoad(load.PeakRss),
        ];
    }

    /// <summary>The batched load itself, also used by the cluster scenario against its edge.</summary>
    public static async Task<(LoadResult Result, long PeakRss)> RunLoadAsync(
        BenchmarkContext context, int? samplePid, HttpClient http, string topic, CancellationToken cancellationToken, TimeSpan? window = null)
    {
        var bodies = Enumerable.Range(0, Workers).Select(w => BatchBody(w)).ToArray();
        var path = $"v1/topics/{Uri.EscapeDataString(topic)}/messages";
        var json = new MediaTypeHeaderValue("application/json");
        await using var sampler = samplePid is { } pid ? new RssSampler(pid) : null;
        var result = await ClosedLoop.RunAsync(Workers, context.Options.Warmup, window ?? context.Options.Window, async (worker, ct) =>
        {
            using var content = new ByteArrayContent(bodies[worker]);
            content.Headers.ContentType = json;
            using var response = await http.PostAsync(path, content, ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
            }
            return BatchSize;
        }, cancellationToken);
        return (result, sampler?.PeakBytes ?? 0);
    }

    private ScenarioResult MemoryUnderLoad(long peakRss) => new()
    {
        Id = "7.load",
        Name = "memory: broker RSS under scenario 1 (peak)",
        Value = peakRss / (1024.0 * 1024),
        Unit = "MB",
        Target = "< 200 MB",
        TargetMet = peakRss < 200L * 1024 * 1024,
        Notes = "VmRSS of the node process sampled every 100 ms during scenario 1's warm-up and window; the peak.",
    };

    private static byte[] BatchBody(int worker)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("messages");
            for (var i = 0; i < BatchSize; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("value", Payloads.Message((long)worker * BatchSize + i));
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
