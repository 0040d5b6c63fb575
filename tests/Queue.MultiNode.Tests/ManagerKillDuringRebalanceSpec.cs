using System.Diagnostics;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// kill -9 of the manager's node while shards are moving to a newly joined broker. The next
/// manager starts from what was persisted (allocations are written, with the fencing epoch, before
/// anyone is told), so each half-done move either landed or not: in the end every partition has
/// exactly one owner among the live brokers, the brokers agree on it, the journal's fencing epochs
/// match it, every partition serves, and no acknowledged message is lost or duplicated.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class ManagerKillDuringRebalanceSpec(ITestOutputHelper output)
{
    private const string Topic = "midmove";
    private const int Partitions = 36;

    [Fact]
    public async Task Kill_9_of_the_manager_during_a_rebalance_leaves_every_partition_with_one_live_owner_and_loses_nothing()
    {
        await using var cluster = await TestCluster.CreateAsync(output);
        var (edge, probe) = await cluster.StartServingTopicAsync(Topic, Partitions);
        var before = await Admin.GetClusterAsync(edge);
        var manager = before.ManagerId;
        var others = cluster.LiveBrokers.Where(b => b.NodeId != manager).Select(b => b.Http).ToList();

        await using var traffic = await Traffic.StartAsync(Topic, [edge, .. others], producers: 4, edge);
        await Eventually.True(() => traffic.Acked.Count >= 200, TimeSpan.FromSeconds(60), "200 messages are acknowledged before the join");

        await cluster.StartBrokerAsync("b4");
        // The moment the manager has started a hand-off (and before the first one landed, when
        // the log allows telling), kill it.
        await Eventually.True(() => ManagerLog.Moves(cluster[manager].Process.Output).Started > 0, TimeSpan.FromSeconds(60), $"{manager} starts moving shards to b4");
        var clock = Stopwatch.StartNew();
        await cluster.KillAsync(manager);
        var movesSeen = ManagerLog.Moves(cluster[manager].Process.Output);
        output.WriteLine($"killed manager {manager} (epoch {before.ManagerEpoch}) after it had started {movesSeen.Started} moves");

        var live = cluster.LiveBrokers.Select(b => b.NodeId).ToHashSet();
        await Eventually.True(async () =>
        {
            var state = await Admin.GetClusterAsync(edge);
            return live.Contains(state.ManagerId) && state.ManagerEpoch > before.ManagerEpoch;
        }, TimeSpan.FromSeconds(30), "a live broker is the new manager");
        var takeover = clock.Elapsed;
        var served = await probe.UntilAllServeAsync(Enumerable.Range(0, Partitions), TimeSpan.FromSeconds(60), "every partition serves after the manager died mid-rebalance");

        // One owner per partition, a live one, the same in every live node's table and in the
        // database, once the new manager has settled (the rebalance may go on for a few rounds).
        PartitionMap? settled = null;
        await Eventually.True(async () =>
        {
            var maps = new List<PartitionMap>();
            foreach (var node in cluster.LiveNodes)
            {
                maps.Add(await Admin.GetPartitionsAsync(node.Http));
            }
            settled = maps[0];
            var perBroker = settled.OwnerByShard.GroupBy(kv => kv.Value).Select(g => g.Count()).ToList();
            return maps.All(m => m.RoutingVersion == settled.RoutingVersion)
                && settled.Owners.Values.All(o => o.Owner is not null && live.Contains(o.Owner))
                && perBroker.Count == live.Count && perBroker.Max() - perBroker.Min() <= 1;
        }, TimeSpan.FromSeconds(60), "all live nodes agree on one table that gives every partition to a live broker, evenly");
        var allocations = (await cluster.QueryAsync("SELECT shard, owner, epoch FROM shard_allocations")).ToDictionary(r => (int)r[0], r => ((string)r[1], (long)r[2]));
        foreach (var (shard, owner) in settled!.OwnerByShard)
        {
            Assert.Equal(owner, allocations[shard].Item1);
        }
        foreach (var (key, owner) in settled.Owners)
        {
            Assert.Equal(allocations[owner.Shard].Item2, owner.Epoch);
        }
        // The partitions' fencing epochs in the journal are the allocations' too.
        foreach (var row in await cluster.QueryAsync($"SELECT partition, owner, epoch FROM partitions WHERE topic = '{Topic}'"))
        {
            var owner = settled.Owners[(Topic, (int)row[0])];
            Assert.Equal((owner.Owner, owner.Epoch), ((string)row[1], (long?)(long)row[2]));
        }
        var settledAt = clock.Elapsed;

        var afterwards = traffic.AckCounts();
        await Eventually.True(() => traffic.AcksSince(afterwards) >= 20, TimeSpan.FromSeconds(60), "every producer is acknowledged again");
        await traffic.StopAsync();
        await traffic.DrainConsumerAsync(Topic, traffic.Consumer!.Value.Http, traffic.Consumer.Value.ConsumerId, TimeSpan.FromSeconds(60));
        var newManager = await Admin.GetClusterAsync(edge);
        output.WriteLine($"new manager {newManager.ManagerId} (epoch {newManager.ManagerEpoch}) after {takeover.TotalSeconds:0.0} s; all partitions serving after {served.TotalSeconds:0.0} s more; " +
            $"settled and balanced after {settledAt.TotalSeconds:0.0} s: " + string.Join(", ", settled.PartitionsPerOwner.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}")));
        output.WriteLine($"traffic: {traffic.Acked.Count} acknowledged, {traffic.Consumed.Count} consumed, {traffic.Retryable} retryable answers");

        Assert.Empty(traffic.Unexpected);
        var log = await Journal.ReadAsync(cluster, Topic);
        await Journal.AssertDenseAndUniqueAsync(cluster, Topic, output);
        Journal.AssertAckedStored(traffic.Acked.Concat(probe.Acked), log);
        Journal.AssertConsumedExactlyOnce(traffic.Consumed, log);
    }
}
