using System.Net.Http.Headers;
using System.Text.Json;
using Queue.Benchmarks.Infrastructure;

namespace Queue.Benchmarks.Scenarios;

/// <summary>
/// Scenario 2: durable single-message produce through the seed-compatible endpoint
/// (POST /producer/produce) from 64 concurrent connections, one broker, 8 partitions; beside a
/// Kestrel hello-world endpoint driven by the same 64 connections in the same run.
/// </summary>
public sealed class ProduceSingleScenario : IScenario
{
    private const int Connections = 64;
    private const int Partitions = 8;
    private const string Topic = "bench";

    public string Id => "2";

    public string Name => $"durable produce, seed single-message endpoint, {Connections} connections, 1 broker, {Partitions} partitions";

    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var database = await context.CreateDatabaseAsync();
        var node = await context.StartNodeAsync(database);
        using var http = LoadClients.Create(node.BaseAddress, Connections);
        await QueueHttp.CreateSeedTopicAsync(http, Topic, Partitions, cancellationToken);
        // One producer per connection, as 64 independent clients would be; each round-robins
        // over the 8 partitions.
        var bodies = new byte[Connections][];
        for (var i = 0; i < Connections; i++)
        {
            var producer = await QueueHttp.RegisterSeedProducerAsync(http, Topic, cancellationToken);
            bodies[i] = JsonSerializer.SerializeToUtf8Bytes(new { topic = Topic, producer_id = producer, message = Payloads.Message(i) });
        }
        var json = new MediaTypeHeaderValue("application/json");

        // The reference brackets the measurement: half a window before, half after, averaged.
        // Other work on a shared machine changes over a minute, and the two halves show by how
        // much (hello_before / hello_after in the details).
        var hello = await context.StartHelloServerAsync(cancellationToken);
        using var helloHttp = LoadClients.Create(hello.BaseAddress, Connections);
        var half = context.Options.Window / 2;
        Task<LoadResult> Hello() => ClosedLoop.RunAsync(Connections, context.Options.Warmup, half, async (_, ct) =>
        {
            using var response = await helloHttp.GetAsync("", ct);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync(ct);
            return 1;
        }, cancellationToken);
        var helloCpu = new CpuMeter([hello.Id], context.Postgres.AdminConnectionString);
        await helloCpu.StartAsync(cancellationToken);
        var before = await Hello();
        var helloUse = await helloCpu.StopAsync(before.AllUnits, cancellationToken);

        LoadResult produce;
        long peakRss;
        IReadOnlyDictionary<string, double> cpuUse;
        await using (var sampler = new RssSampler(node.Id))
        {
            var cpu = new CpuMeter([node.Id], context.Postgres.AdminConnectionString);
            await cpu.StartAsync(cancellationToken);
            produce = await ClosedLoop.RunAsync(Connections, context.Options.Warmup, context.Options.Window, async (worker, ct) =>
            {
                using var content = new ByteArrayContent(bodies[worker]);
                content.Headers.ContentType = json;
                using var response = await http.PostAsync("producer/produce", content, ct);
                if (!response.IsSuccessStatusCode)
                {
                    throw new HttpRequestException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
                }
                return 1;
            }, cancellationToken);
            peakRss = sampler.PeakBytes;
            cpuUse = await cpu.StopAsync(produce.AllUnits, cancellationToken);
        }
        context.Info($"scenario 2: {produce.UnitsPerSecond:0} msg/s ({produce.Errors} errors); hello-world before: {before.UnitsPerSecond:0} req/s");
        var after = await Hello();
        var reference = (before.UnitsPerSecond + after.UnitsPerSecond) / 2;
        var helloLatencies = before.SortedLatenciesMs.Concat(after.SortedLatenciesMs).Order().ToList();
        var ratio = produce.UnitsPerSecond / reference;
        List<ScenarioResult> results =
        [
            new()
            {
                Id = Id,
                Name = Name,
                Value = produce.UnitsPerSecond,
                Unit = "msg/s",
                ReferenceName = $"Kestrel hello-world, {Connections} connections",
                Reference = reference,
                ReferenceUnit = "req/s",
                Ratio = ratio,
                Target = "ratio >= 0.4",
                TargetMet = ratio >= 0.4,
                Details = new Dictionary<string, double>
                {
                    ["messages_acked_in_window"] = produce.Units,
                    ["errors"] = produce.Errors,
                    ["request_p50_ms"] = Percentiles.Of(produce.SortedLatenciesMs, 50),
                    ["request_p99_ms"] = Percentiles.Of(produce.SortedLatenciesMs, 99),
                    ["hello_before_req_per_s"] = before.UnitsPerSecond,
                    ["hello_after_req_per_s"] = after.UnitsPerSecond,
                    ["hello_p50_ms"] = Percentiles.Of(helloLatencies, 50),
                    ["hello_p99_ms"] = Percentiles.Of(helloLatencies, 99),
                    ["hello_errors"] = before.Errors + after.Errors,
                    ["broker_peak_rss_mb"] = peakRss / (1024.0 * 1024),
                    ["hello_cpu_ms_per_1k_server"] = helloUse["cpu_ms_per_1k_node"],
                    ["hello_cpu_ms_per_1k_driver"] = helloUse["cpu_ms_per_1k_driver"],
                    ["hello_machine_busy_pct"] = helloUse["machine_busy_pct"],
                }.Concat(cpuUse).ToDictionary(),
                Notes = $"{Connections} closed-loop HTTP/1.1 keep-alive connections, one registered producer each, JSON body " +
                        "{topic, producer_id, message}; counted: 200 answers (sent after commit) inside the window. " +
                        "Reference: GET / answering \"Hello, World!\" from a separate Kestrel process, same connections, half a window " +
                        "before and half after the measurement, averaged." +
                        (produce.FirstError is { } e ? $" First error: {e}" : ""),
            },
        ];
        // The same figure as scenario 7 asks under scenario 1, for the single-message load.
        results.Add(new ScenarioResult
        {
            Id = "7.load2",
            Name = "memory: broker RSS under scenario 2 (peak)",
            Value = peakRss / (1024.0 * 1024),
            Unit = "MB",
            Target = "< 200 MB",
            TargetMet = peakRss < 200L * 1024 * 1024,
            Notes = "VmRSS of the node process sampled every 100 ms during scenario 2's warm-up and window; the peak.",
        });
        return results;
    }
}
