using Queue.Benchmarks.Infrastructure;
using Queue.Benchmarks.References;

namespace Queue.Benchmarks.Scenarios;

/// <summary>
/// Scenario 3: scenario 1's load (v1 batches of 500, 8 connections, 8 partitions) through the
/// edge of a 3-broker + 1-edge cluster, all on this machine; beside raw binary COPY of as many
/// rows into the same database, as in scenario 1.
/// </summary>
public sealed class ClusterProduceScenario : IScenario
{
    private const string Topic = "bench";

    public string Id => "3";

    public string Name => $"durable produce, v1 batches of {ProduceBatchedScenario.BatchSize}, 3 brokers + 1 edge, {ProduceBatchedScenario.Partitions} partitions";

    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var cluster = await ClusterTopology.StartAsync(context, cancellationToken);
        if (await ClusterProbe.WhyNotAvailableAsync(cluster.Edge, cancellationToken) is { } reason)
        {
            return [ScenarioResult.NotAvailable(Id, Name, reason, "ratio >= 0.5")];
        }
        using var http = LoadClients.Create(cluster.Edge.BaseAddress, ProduceBatchedScenario.Workers);
        if (!await QueueHttp.TryCreateV1TopicAsync(http, Topic, ProduceBatchedScenario.Partitions, cancellationToken))
        {
            return [ScenarioResult.NotAvailable(Id, Name, "v1 batch API not merged yet (POST /v1/topics answered 404)", "ratio >= 0.5")];
        }
        await QueueHttp.WaitUntilEveryPartitionServesAsync(http, Topic, ProduceBatchedScenario.Partitions, cancellationToken);

        var cpu = new CpuMeter([.. cluster.Pids], context.Postgres.AdminConnectionString);
        await cpu.StartAsync(cancellationToken);
        var (load, _) = await ProduceBatchedScenario.RunLoadAsync(context, null, http, Topic, cancellationToken);
        var cpuUse = await cpu.StopAsync(load.AllUnits, cancellationToken);
        context.Info($"scenario 3: {load.UnitsPerSecond:0} msg/s through the edge ({load.Errors} errors); copying as many rows raw");

        var rows = Math.Max(load.Units, 50_000);
        var (copyRate, copyElapsed, _) = await CopyReference.RunAsync(
            cluster.Database, rows, ProduceBatchedScenario.Workers, ProduceBatchedScenario.BatchSize, ProduceBatchedScenario.Partitions, cancellationToken);
        var ratio = load.UnitsPerSecond / copyRate;
        return
        [
            new ScenarioResult
            {
                Id = Id,
                Name = Name,
                Value = load.UnitsPerSecond,
                Unit = "msg/s",
                ReferenceName = $"raw binary COPY, {ProduceBatchedScenario.Workers} connections, {ProduceBatchedScenario.BatchSize} rows per COPY",
                Reference = copyRate,
                ReferenceUnit = "rows/s",
                Ratio = ratio,
                Target = "ratio >= 0.5",
                TargetMet = ratio >= 0.5,
                Details = new Dictionary<string, double>
                {
                    ["messages_acked_in_window"] = load.Units,
                    ["errors"] = load.Errors,
                    ["request_p50_ms"] = Percentiles.Of(load.SortedLatenciesMs, 50),
                    ["request_p99_ms"] = Percentiles.Of(load.SortedLatenciesMs, 99),
                    ["copy_rows"] = rows,
                    ["copy_seconds"] = copyElapsed.TotalSeconds,
                }.Concat(cpuUse).ToDictionary(),
                Notes = "Scenario 1's load sent to the edge-only node, which forwards each batch to the broker owning its partition over the " +
                        "node transport. cpu_ms_per_1k_node is the sum over the three brokers and the edge." +
                        (load.FirstError is { } e ? $" First error: {e}" : ""),
            },
        ];
    }
}
