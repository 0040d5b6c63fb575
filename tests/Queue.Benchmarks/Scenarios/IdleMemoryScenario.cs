using Queue.Benchmarks.Infrastructure;
using Queue.Testing;

namespace Queue.Benchmarks.Scenarios;

/// <summary>
/// Scenario 7 (idle): a broker with 1,000 live partitions and no traffic — every partition
/// actor started (recovered from the journal) by registering a consumer on it, then the node left
/// alone until its RSS settles.
/// </summary>
public sealed class IdleMemoryScenario : IScenario
{
    private const int Partitions = 1_000;
    private const string Topic = "many";

    public string Id => "7";

    public string Name => $"memory: broker RSS idle with {Partitions:#,0} partitions";

    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var database = await context.CreateDatabaseAsync();
        var node = await context.StartNodeAsync(database);
        var empty = ProcessMemory.ReadRssBytes(node.Id) ?? 0;
        using var http = LoadClients.Create(node.BaseAddress, 16);
        await QueueHttp.CreateSeedTopicAsync(http, Topic, Partitions, cancellationToken);
        // A consumer bound to one partition pins its position there, which starts that
        // partition's actor; 16 registrations at a time keep the node busy but not flooded.
        using var slots = new SemaphoreSlim(16);
        await Task.WhenAll(Enumerable.Range(0, Partitions).Select(async p =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                await QueueHttp.RegisterSeedConsumerAsync(http, Topic, p, cancellationToken);
            }
            finally
            {
                slots.Release();
            }
        }));

        // Idle means settled: wait until two readings half a second apart differ by under 1%.
        // A node that never quite settles (a busy machine) is reported with its last reading.
        var settled = 0L;
        var previous = ProcessMemory.ReadRssBytes(node.Id) ?? 0;
        var stable = true;
        try
        {
            await Eventually.True(async () =>
            {
                await Task.Delay(500, cancellationToken);
                var now = ProcessMemory.ReadRssBytes(node.Id) ?? 0;
                var steady = Math.Abs(now - previous) < previous / 100;
                previous = now;
                settled = now;
                return steady;
            }, TimeSpan.FromSeconds(30), "the broker's RSS settles");
        }
        catch (TimeoutException)
        {
            stable = false;
        }

        var mb = settled / (1024.0 * 1024);
        return
        [
            new ScenarioResult
            {
                Id = "7.idle",
                Name = Name,
                Value = mb,
                Unit = "MB",
                Target = "< 200 MB",
                TargetMet = settled < 200L * 1024 * 1024,
                Details = new Dictionary<string, double>
                {
                    ["rss_started_empty_mb"] = empty / (1024.0 * 1024),
                    ["per_partition_kb"] = (settled - empty) / 1024.0 / Partitions,
                },
                Notes = $"VmRSS of the node process after {Partitions} partition actors have started (one consumer registered per partition) and RSS has settled." +
                        (stable ? "" : " RSS had not settled within 30 s; this is the last reading."),
            },
        ];
    }
}
