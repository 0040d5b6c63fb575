using System.Globalization;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// A seeded random sequence of faults under load: kill -9 of a broker (the manager included),
/// freezing one for a while, a restart, a new broker joining. Whatever the sequence, once the
/// faults stop the cluster must serve every partition again and the safety checks must hold:
/// offsets dense, nothing stored twice, every acknowledged message where its acknowledgement
/// said, the consumer saw each partition's log once, in order. The seed is printed; set
/// QUEUE_CHAOS_SEED to replay a run.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class RandomFaultsSpec(ITestOutputHelper output)
{
    private const string Topic = "chaos";
    private const int Partitions = 12;
    private const int Faults = 4;

    [Fact]
    public async Task A_random_sequence_of_crashes_pauses_restarts_and_joins_loses_no_acknowledged_message()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("QUEUE_CHAOS_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var given)
            ? given : Random.Shared.Next();
        output.WriteLine($"seed {seed} (QUEUE_CHAOS_SEED={seed} replays this sequence of faults)");
        var random = new Random(seed);

        await using var cluster = await TestCluster.CreateAsync(output);
        var (edge, probe) = await cluster.StartServingTopicAsync(Topic, Partitions);
        await using var traffic = await Traffic.StartAsync(Topic, [edge], producers: 4, edge);
        await Eventually.True(() => traffic.Acked.Count >= 100, TimeSpan.FromSeconds(60), "100 messages are acknowledged before the faults");

        var frozen = new List<ClusterNode>();
        var joined = 0;
        try
        {
            for (var step = 0; step < Faults; step++)
            {
                var live = cluster.LiveBrokers.Where(b => !frozen.Contains(b)).ToList();
                var dead = cluster.Nodes.Where(n => n.IsBroker && !n.IsAlive).ToList();
                // Never fewer than two working brokers: the point is recovery, not a dead cluster.
                var choices = new List<string> { "join" };
                if (live.Count > 2)
                {
                    choices.AddRange(["kill", "kill", "freeze"]);
                }
                if (dead.Count > 0)
                {
                    choices.Add("restart");
                }
                var fault = choices[random.Next(choices.Count)];
                var target = fault switch
                {
                    "kill" or "freeze" => live[random.Next(live.Count)],
                    "restart" => dead[random.Next(dead.Count)],
                    _ => null,
                };
                var manager = (await SeedApi.RetryAsync(() => Admin.GetClusterAsync(edge), TimeSpan.FromSeconds(30))).ManagerId;
                output.WriteLine($"step {step}: {fault} {target?.NodeId ?? ""} (manager {manager}, {traffic.Acked.Count} acknowledged so far)");
                switch (fault)
                {
                    case "kill":
                        await cluster.KillAsync(target!.NodeId);
                        break;
                    case "freeze":
                        await target!.Process.FreezeAsync();
                        frozen.Add(target);
                        break;
                    case "restart":
                        await cluster.RestartBrokerAsync(target!.NodeId);
                        break;
                    default:
                        await cluster.StartBrokerAsync($"n{++joined}");
                        break;
                }
                // The gap between faults is part of the stimulus: sometimes the cluster has
                // recovered from the last one, sometimes it is still in the middle of it.
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(500, 5000)));
                if (frozen.Count > 0 && random.Next(2) == 0)
                {
                    var thawed = frozen[0];
                    frozen.RemoveAt(0);
                    output.WriteLine($"        resume {thawed.NodeId}");
                    await thawed.Process.ResumeAsync();
                }
            }
        }
        finally
        {
            foreach (var node in frozen)
            {
                await node.Process.ResumeAsync();
            }
        }

        await cluster.WaitUntilFormedAsync(TimeSpan.FromSeconds(60));
        var served = await probe.UntilAllServeAsync(Enumerable.Range(0, Partitions), TimeSpan.FromSeconds(60), "every partition serves after the faults");
        var afterFaults = traffic.AckCounts();
        await Eventually.True(() => traffic.AcksSince(afterFaults) >= 10, TimeSpan.FromSeconds(60), "every producer is acknowledged after the faults");
        await traffic.StopAsync();
        await traffic.DrainConsumerAsync(Topic, traffic.Consumer!.Value.Http, traffic.Consumer.Value.ConsumerId, TimeSpan.FromSeconds(60));
        var final = await Admin.GetClusterAsync(edge);
        output.WriteLine($"after the faults: manager {final.ManagerId} (epoch {final.ManagerEpoch}); members " +
            string.Join(", ", final.Members.Select(m => $"{m.NodeId}={m.Status}")) + $"; every partition served {served.TotalSeconds:0.0} s after the cluster was whole");
        output.WriteLine($"traffic: {traffic.Acked.Count} acknowledged, {traffic.Consumed.Count} consumed, {traffic.Retryable} retryable answers");

        Assert.Empty(traffic.Unexpected);
        var log = await Journal.ReadAsync(cluster, Topic);
        await Journal.AssertDenseAndUniqueAsync(cluster, Topic, output);
        Journal.AssertAckedStored(traffic.Acked.Concat(probe.Acked), log);
        Journal.AssertConsumedExactlyOnce(traffic.Consumed, log);
        var liveBrokers = cluster.LiveBrokers.Select(b => b.NodeId).ToHashSet();
        Assert.All((await Admin.GetPartitionsAsync(edge)).Owners.Values, o => Assert.Contains(o.Owner!, liveBrokers));
    }
}
