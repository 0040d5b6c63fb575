using System.Diagnostics;
using Queue.Benchmarks.Infrastructure;

namespace Queue.Benchmarks.Scenarios;

/// <summary>
/// Scenario 5: in a 3-broker + 1-edge cluster, kill -9 a broker that owns partitions (not the
/// manager, when there is a choice: its failover adds the lease's lapse and is a different
/// figure) and measure, for each partition it owned, the time from the kill until a produce sent
/// through the edge after the kill is acknowledged; the figure is the slowest partition.
/// </summary>
public sealed class FailoverScenario : IScenario
{
    private const string Topic = "failover";
    private const int Partitions = 8;

    public string Id => "5";

    public string Name => "failover: kill -9 a broker → its partitions serve again";

    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        if (await ClusterProbe.WhyNotAvailableAsync(context, cancellationToken) is { } reason)
        {
            return [ScenarioResult.NotAvailable(Id, Name, reason, "< 5 s")];
        }
        await context.StopAllAsync();
        var cluster = await ClusterTopology.StartAsync(context, cancellationToken);
        using var http = LoadClients.Create(cluster.Edge.BaseAddress, Partitions);
        if (!await QueueHttp.TryCreateV1TopicAsync(http, Topic, Partitions, cancellationToken))
        {
            return [ScenarioResult.NotAvailable(Id, Name, "v1 API not merged yet (POST /v1/topics answered 404)", "< 5 s")];
        }
        await QueueHttp.WaitUntilEveryPartitionServesAsync(http, Topic, Partitions, cancellationToken);

        // Who owns what, and who is the manager, by the edge's routing table.
        var table = await QueueHttp.RequireAsync(await http.GetAsync("cluster/partitions", cancellationToken), cancellationToken);
        var owners = table.GetProperty("partitions").EnumerateArray()
            .Where(p => p.GetProperty("topic").GetString() == Topic)
            .ToDictionary(p => p.GetProperty("partition").GetInt32(), p => p.GetProperty("owner").GetString());
        var state = await QueueHttp.RequireAsync(await http.GetAsync("cluster", cancellationToken), cancellationToken);
        var manager = state.TryGetProperty("manager", out var m) && m.ValueKind == System.Text.Json.JsonValueKind.Object
            ? m.GetProperty("node_id").GetString() : null;
        var candidates = cluster.Brokers.Where(b => owners.ContainsValue(b.Id)).ToList();
        if (candidates.Count == 0)
        {
            throw new InvalidOperationException($"no broker owns a partition of '{Topic}': {table}");
        }
        var victim = candidates.FirstOrDefault(b => b.Id != manager) is { Id: not null } other ? other : candidates[0];
        var affected = owners.Where(o => o.Value == victim.Id).Select(o => o.Key).ToList();
        context.Info($"scenario 5: killing {victim.Id} (manager: {manager}), owner of partitions {string.Join(",", affected)}");

        var kill = Stopwatch.StartNew();
        await victim.Process.KillAsync();
        var serving = await Task.WhenAll(affected.Select(p => FirstAckAfterKillAsync(http, p, kill, cancellationToken)));
        var slowest = serving.Max();
        return
        [
            new ScenarioResult
            {
                Id = Id,
                Name = Name,
                Value = slowest.TotalSeconds,
                Unit = "s",
                Target = "< 5 s",
                TargetMet = slowest < TimeSpan.FromSeconds(5),
                Details = new Dictionary<string, double>
                {
                    ["partitions_of_victim"] = affected.Count,
                    ["fastest_partition_s"] = serving.Min().TotalSeconds,
                    ["victim_was_manager"] = victim.Id == manager ? 1 : 0,
                },
                Notes = $"Killed {victim.Id} with SIGKILL; each of its partitions was probed through the edge with one-message v1 produces " +
                        "(5 s timeout each, 20 ms apart) sent after the kill; value = kill → first acknowledgement, slowest partition.",
            },
        ];
    }

    private static async Task<TimeSpan> FirstAckAfterKillAsync(HttpClient http, int partition, Stopwatch sinceKill, CancellationToken cancellationToken)
    {
        while (sinceKill.Elapsed < TimeSpan.FromSeconds(60))
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                if (await QueueHttp.TryProduceToPartitionAsync(http, Topic, partition, Payloads.Message(partition), attempt.Token))
                {
                    return sinceKill.Elapsed;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Not serving yet.
            }
            await Task.Delay(20, cancellationToken);
        }
        throw new TimeoutException($"partition {partition} did not serve within 60 s of the kill");
    }
}
