using System.Diagnostics;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// A fourth broker joins a serving cluster under produce and consume load: sharding's rebalance
/// hands some shards over to it (each partition finishing its write in flight before it moves,
/// the regions buffering what arrives meanwhile), and afterwards every acknowledged message is
/// consumed exactly once, in per-partition order, no offset twice.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class BrokerJoinSpec(ITestOutputHelper output)
{
    private const string Topic = "join";
    private const int Partitions = 12;

    [Fact]
    public async Task A_fourth_broker_joining_under_load_takes_over_partitions_without_losing_or_doubling_anything()
    {
        await using var cluster = await TestCluster.CreateAsync(output);
        var (edge, probe) = await cluster.StartServingTopicAsync(Topic, Partitions);
        await using var traffic = await Traffic.StartAsync(Topic, [edge], producers: 4, edge);
        await Eventually.True(() => traffic.Acked.Count >= 200, TimeSpan.FromSeconds(60), "200 messages are acknowledged before the join");

        var clock = Stopwatch.StartNew();
        await cluster.StartBrokerAsync("b4");
        await cluster.WaitUntilFormedAsync(TestCluster.FormTimeout);
        var joined = clock.Elapsed;
        // The rebalance is periodic and moves a few shards per round; wait until b4 hosts some.
        PartitionMap? map = null;
        await Eventually.True(async () =>
        {
            map = await Admin.GetPartitionsAsync(edge);
            return map.PartitionsPerOwner.GetValueOrDefault("b4") > 0;
        }, TimeSpan.FromSeconds(90), "the new broker b4 hosts partitions of the topic after the rebalance");
        output.WriteLine($"b4 joined after {joined.TotalSeconds:0.0} s and hosted partitions after {clock.Elapsed.TotalSeconds:0.0} s; " +
            "partitions per broker: " + string.Join(", ", map!.PartitionsPerOwner.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}")));

        // The moved partitions serve from b4, through the edge.
        var moved = map.Owners.Where(kv => kv.Value.Owner == "b4").Select(kv => kv.Key.Partition).ToList();
        await probe.UntilAllServeAsync(moved, TimeSpan.FromSeconds(60), "the partitions moved to b4 serve");
        var afterJoin = traffic.AckCounts();
        await Eventually.True(() => traffic.AcksSince(afterJoin) >= 20, TimeSpan.FromSeconds(60), "every producer is acknowledged after the rebalance");
        await traffic.StopAndDrainAsync(Topic);
        output.WriteLine($"traffic: {traffic.Acked.Count} acknowledged, {traffic.Consumed.Count} consumed, {traffic.Retryable} retryable answers");

        await Journal.AssertTrafficStoredAsync(cluster, Topic, traffic, probe.Acked, brokerCrashed: false, output);
    }
}
