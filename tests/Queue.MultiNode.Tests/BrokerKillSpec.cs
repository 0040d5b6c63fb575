using System.Diagnostics;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// kill -9 of a broker under produce and consume load — one that is not the manager, and the
/// manager's own node (the oldest broker: catalogue singleton and shard coordinator) —: its
/// shards are moved to the survivors once it is downed, the clients' retries land there, and
/// afterwards every acknowledged message is consumed exactly once, in per-partition order, no
/// offset twice. Default timings, so the printed failover time is the one an operator gets.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class BrokerKillSpec(ITestOutputHelper output)
{
    private const string Topic = "brokerkill";
    private const int Partitions = 6;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task After_kill_9_of_a_broker_under_load_every_acknowledged_message_is_consumed_exactly_once_in_order(bool killTheManager)
    {
        await using var cluster = await TestCluster.CreateAsync(output);
        var (edge, probe) = await cluster.StartServingTopicAsync(Topic, Partitions);

        var manager = (await Admin.GetClusterAsync(edge)).ManagerId;
        var owners = await Admin.GetPartitionsAsync(edge);
        // The manager's node may host no partition of the topic; its kill still moves the
        // catalogue and the coordinator, which every produce and consume depends on.
        var victim = killTheManager
            ? manager
            : owners.PartitionsPerOwner.Where(kv => kv.Key != manager).OrderByDescending(kv => kv.Value).First().Key;
        var victimPartitions = owners.Owners.Where(kv => kv.Value.Owner == victim).Select(kv => kv.Key.Partition).ToList();
        var survivors = cluster.LiveBrokers.Where(b => b.NodeId != victim).Select(b => b.Http).ToList();

        // Producers on the edge and on the surviving brokers' edges; the victim's own HTTP port
        // would only measure its death.
        await using var traffic = await Traffic.StartAsync(Topic, [edge, .. survivors], producers: 6, edge);
        await Eventually.True(() => traffic.Acked.Count >= 300 && traffic.Consumed.Count >= 100, TimeSpan.FromSeconds(60),
            "300 messages are acknowledged and 100 consumed before the kill");

        var clock = Stopwatch.StartNew();
        await cluster.KillAsync(victim);
        var failover = await probe.UntilAllServeAsync(victimPartitions, TimeSpan.FromSeconds(60), $"the partitions of {victim} serve again");
        output.WriteLine($"killed {victim}{(killTheManager ? " (the manager)" : "")} (owner of partitions {string.Join(",", victimPartitions)}); they served again after {failover.TotalSeconds:0.0} s");

        var afterFailover = traffic.AckCounts();
        await Eventually.True(() => traffic.AcksSince(afterFailover) >= 20, TimeSpan.FromSeconds(60), "every producer is acknowledged again after the failover");
        await traffic.StopAndDrainAsync(Topic);
        output.WriteLine($"traffic: {traffic.Acked.Count} acknowledged, {traffic.Consumed.Count} consumed, {traffic.Retryable} retryable answers");

        await Journal.AssertTrafficStoredAsync(cluster, Topic, traffic, probe.Acked, brokerCrashed: true, output);
        var map = await Admin.GetPartitionsAsync(edge);
        Assert.All(map.Owners.Values, o => Assert.NotEqual(victim, o.Owner));
    }
}
