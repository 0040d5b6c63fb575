using System.Diagnostics;
using System.Net.Http.Json;
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
    private static readonly TimeSpan ProbeEvery = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    public string Id => "5";

    public string Name => "failover: kill -9 a broker → its partitions serve again";

    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var cluster = await ClusterTopology.StartAsync(context, cancellationToken);
        if (await ClusterProbe.WhyNotAvailableAsync(cluster.Edge, cancellationToken) is { } reason)
        {
            return [ScenarioResult.NotAvailable(Id, Name, reason, "< 5 s")];
        }
        using var http = LoadClients.Create(cluster.Edge.BaseAddress, 512);
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
        context.Info($"scenario 5: {victim.Id} is dead (kill -9 took {kill.ElapsedMilliseconds} ms)");
        var serving = await Task.WhenAll(affected.Select(p => FirstAckAfterKillAsync(http, p, kill, cancellationToken)));
        var slowest = serving.Max();
        List<ScenarioResult> results =
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
                        "(one started every 100 ms, each with a 10 s timeout, not waiting for the previous) sent after the kill; value = kill → first acknowledgement, slowest partition.",
            },
        ];
        if (victim.Id != manager && manager is not null && cluster.Brokers.Any(b => b.Id == manager))
        {
            results.Add(await SingletonFailoverAsync(context, cluster, http, victim.Id, manager, cancellationToken));
        }
        return results;
    }

    /// <summary>
    /// 5.singleton: the first victim restarted (so two brokers survive the next kill and keep the
    /// majority), then the manager — the oldest broker, host of the catalogue singleton — killed;
    /// value = kill → both a catalogue decision (a v1 topic created through the edge) and a
    /// produce to each partition it owned are acknowledged, the slower of the two.
    /// </summary>
    private async Task<ScenarioResult> SingletonFailoverAsync(
        BenchmarkContext context, ClusterTopology cluster, HttpClient http, string restartId, string manager, CancellationToken cancellationToken)
    {
        const string name = "failover: kill -9 the catalogue singleton's node (oldest broker) → catalogue and its partitions serve again";
        await cluster.RestartBrokerAsync(restartId, cancellationToken);
        await QueueHttp.WaitUntilEveryPartitionServesAsync(http, Topic, Partitions, cancellationToken);
        var table = await QueueHttp.RequireAsync(await http.GetAsync("cluster/partitions", cancellationToken), cancellationToken);
        var affected = table.GetProperty("partitions").EnumerateArray()
            .Where(p => p.GetProperty("topic").GetString() == Topic && p.GetProperty("owner").GetString() == manager)
            .Select(p => p.GetProperty("partition").GetInt32()).ToList();
        var victim = cluster.Brokers.Single(b => b.Id == manager);
        context.Info($"scenario 5: {restartId} restarted and ready; killing the manager {manager} (catalogue singleton), owner of partitions {string.Join(",", affected)}");

        var kill = Stopwatch.StartNew();
        await victim.Process.KillAsync();
        context.Info($"scenario 5: {victim.Id} is dead (kill -9 took {kill.ElapsedMilliseconds} ms)");
        var catalogue = FirstCatalogueAnswerAfterKillAsync(http, kill, cancellationToken);
        var partitions = await Task.WhenAll(affected.Select(p => FirstAckAfterKillAsync(http, p, kill, cancellationToken)));
        var catalogueServing = await catalogue;
        var slowest = partitions.Append(catalogueServing).Max();
        return new ScenarioResult
        {
            Id = Id + ".singleton",
            Name = name,
            Value = slowest.TotalSeconds,
            Unit = "s",
            Target = "< 5 s",
            TargetMet = slowest < TimeSpan.FromSeconds(5),
            Details = new Dictionary<string, double>
            {
                ["catalogue_s"] = catalogueServing.TotalSeconds,
                ["partitions_of_victim"] = affected.Count,
                ["slowest_partition_s"] = partitions.Length == 0 ? 0 : partitions.Max().TotalSeconds,
            },
            Notes = $"After the broker figure, {restartId} was restarted and ready, then {manager} (the oldest broker: catalogue singleton) " +
                    "killed with SIGKILL; probes through the edge: POST /v1/topics with a new name (a catalogue decision) and " +
                    "one-message produces to each partition it owned, both probed as above; value = kill → the slower of the two to be acknowledged.",
        };
    }

    private static Task<TimeSpan> FirstCatalogueAnswerAfterKillAsync(HttpClient http, Stopwatch sinceKill, CancellationToken cancellationToken) =>
        FirstSuccessAfterKillAsync(async ct =>
        {
            using var response = await http.PostAsJsonAsync("v1/topics", new { name = $"probe-{Guid.NewGuid():N}", partitions = 1 }, ct);
            return response.IsSuccessStatusCode;
        }, sinceKill, "the catalogue did not create a topic", cancellationToken);

    private static Task<TimeSpan> FirstAckAfterKillAsync(HttpClient http, int partition, Stopwatch sinceKill, CancellationToken cancellationToken) =>
        FirstSuccessAfterKillAsync(ct => QueueHttp.TryProduceToPartitionAsync(http, Topic, partition, Payloads.Message(partition), ct),
            sinceKill, $"partition {partition} did not serve", cancellationToken);

    /// <summary>
    /// Starts a probe every <see cref="ProbeEvery"/> (each with its own <see cref="ProbeTimeout"/>), without waiting for the
    /// previous ones, so a probe that hangs on the dead node does not delay the next; returns kill → the first acknowledgement.
    /// </summary>
    private static async Task<TimeSpan> FirstSuccessAfterKillAsync(
        Func<CancellationToken, Task<bool>> probe, Stopwatch sinceKill, string failure, CancellationToken cancellationToken)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var first = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var probes = new List<Task>();
        async Task One()
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(done.Token);
            attempt.CancelAfter(ProbeTimeout);
            try
            {
                if (await probe(attempt.Token))
                {
                    first.TrySetResult(sinceKill.Elapsed);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                // Not serving yet (or the scenario is over).
            }
        }
        try
        {
            while (!first.Task.IsCompleted && sinceKill.Elapsed < TimeSpan.FromSeconds(60))
            {
                probes.Add(One());
                await Task.WhenAny(first.Task, Task.Delay(ProbeEvery, cancellationToken));
            }
            if (!first.Task.IsCompleted)
            {
                throw new TimeoutException($"{failure} within 60 s of the kill");
            }
            return await first.Task;
        }
        finally
        {
            await done.CancelAsync();
            await Task.WhenAll(probes);
        }
    }
}
