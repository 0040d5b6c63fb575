using System.Diagnostics;
using System.Net;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// SIGSTOP of a broker under load, past the downing timeout, then SIGCONT: the frozen process is
/// not mistaken for a dead one (its kernel still accepts connections, so crash-downing leaves it
/// to the split-brain resolver), it is downed and its partitions move; after it resumes it
/// acknowledges nothing that is not stored and stores nothing twice, and it stops by itself. What
/// kept it from writing — its lease lapsed, the journal's unique key, or learning of its own down
/// before it tried — is read from its log and printed: which fence acts depends on timing, the
/// outcome (nothing lost, nothing doubled) does not.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class FrozenBrokerSpec(ITestOutputHelper output)
{
    private const string Topic = "frozen";
    private const int Partitions = 6;

    // This spec found that a freeze between a journal INSERT and its COMMIT kept the frozen
    // process's row locks (its kernel keeps the socket to PostgreSQL open), so the new owner's
    // write waited and timed out until the frozen broker resumed. The database now aborts such a
    // stalled transaction itself (queue.journal.stalled-session-timeout).
    [Fact]
    public async Task A_broker_frozen_past_the_downing_timeout_is_downed_by_the_resolver_and_after_resuming_writes_nothing_twice()
    {
        await using var cluster = await TestCluster.CreateAsync(output);
        var (edge, probe) = await cluster.StartServingTopicAsync(Topic, Partitions);

        var manager = (await Admin.GetClusterAsync(edge)).ManagerId;
        var owners = await Admin.GetPartitionsAsync(edge);
        var victimId = owners.PartitionsPerOwner.Where(kv => kv.Key != manager).OrderByDescending(kv => kv.Value).First().Key;
        var victim = cluster[victimId];
        var victimPartitions = owners.Owners.Where(kv => kv.Value.Owner == victimId).Select(kv => kv.Key.Partition).ToList();
        var survivors = cluster.LiveBrokers.Where(b => b.NodeId != victimId).ToList();
        await using var traffic = await Traffic.StartAsync(Topic, [edge, .. survivors.Select(s => s.Http)], producers: 4, edge);
        await Eventually.True(() => traffic.Acked.Count >= 200, TimeSpan.FromSeconds(60), "200 messages are acknowledged before the freeze");

        var clock = Stopwatch.StartNew();
        victim.IsAlive = false;
        await victim.Process.FreezeAsync();
        var failover = await probe.UntilAllServeAsync(victimPartitions, TimeSpan.FromSeconds(90), $"the partitions of frozen {victimId} serve elsewhere");
        await Eventually.True(async () => (await Admin.GetClusterAsync(edge)).Member(victimId) is null, TimeSpan.FromSeconds(60),
            $"frozen {victimId} is downed and removed from the members");
        output.WriteLine($"froze {victimId} (owner of partitions {string.Join(",", victimPartitions)}); they served elsewhere after {failover.TotalSeconds:0.0} s, " +
            $"it was removed after {clock.Elapsed.TotalSeconds:0.0} s");

        // Not crash-downing: a frozen process is alive, and its kernel accepts the probe.
        var survivorLogs = string.Join("\n", survivors.Select(s => s.Process.Output).Append(cluster["e1"].Process.Output));
        Assert.DoesNotContain($"Member {victimId} (", survivorLogs);
        Assert.Contains("SBR took decision", survivorLogs);

        var beforeResume = traffic.AckCounts();
        await Eventually.True(() => traffic.AcksSince(beforeResume) >= 20, TimeSpan.FromSeconds(60), "every producer is acknowledged by the new owners");

        // SIGCONT: for a moment it may still believe it hosts its partitions. Ask it directly for
        // each of them, as a client that still had its address would.
        await victim.Process.ResumeAsync();
        var staleAcks = new List<Delivery>();
        var producer = await SeedApi.RetryAsync(() => edge.RegisterProducerAsync(Topic), TimeSpan.FromSeconds(30));
        foreach (var partition in victimPartitions)
        {
            var message = $"to-resumed-{partition}";
            try
            {
                var (status, body) = await victim.Http.ProduceAsync(Topic, producer, message, partition);
                output.WriteLine($"produce to resumed {victimId}, partition {partition}: {(int)status}");
                if (status == HttpStatusCode.OK)
                {
                    staleAcks.Add(new Delivery(body.GetProperty("partition").GetInt32(), body.GetProperty("offset").GetInt64(), message));
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                output.WriteLine($"produce to resumed {victimId}, partition {partition}: {ex.GetType().Name} (it is shutting down)");
            }
        }

        // It learns that it was downed and stops by itself, saying so in its exit code.
        Assert.True(await victim.Process.WaitForExitAsync(TimeSpan.FromSeconds(90)), $"{victimId} did not stop after it resumed");
        Assert.NotEqual(0, victim.Process.ExitCode);
        var victimLog = victim.Process.Output;
        var fences = new List<string>();
        if (victimLog.Contains("Lease [akkaqueue-shard-partitions", StringComparison.Ordinal) && victimLog.Contains("lost by", StringComparison.Ordinal))
        {
            fences.Add("its shard leases had lapsed (lost-lease callback)");
        }
        if (victimLog.Contains("duplicate key", StringComparison.OrdinalIgnoreCase) || victimLog.Contains("Failed to persist event", StringComparison.Ordinal))
        {
            fences.Add("the journal's unique key refused a write");
        }
        output.WriteLine($"{victimId} exited with code {victim.Process.ExitCode}; fences seen in its log: " +
            (fences.Count > 0 ? string.Join("; ", fences) : "none needed — it learned of its down before it tried to write"));

        await traffic.StopAndDrainAsync(Topic);
        output.WriteLine($"traffic: {traffic.Acked.Count} acknowledged, {traffic.Consumed.Count} consumed, {traffic.Retryable} retryable answers; " +
            $"{staleAcks.Count} acknowledged by the resumed broker");

        await Journal.AssertTrafficStoredAsync(cluster, Topic, traffic, probe.Acked.Concat(staleAcks), brokerCrashed: true, output);
    }
}
