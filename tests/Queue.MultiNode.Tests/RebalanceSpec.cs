using System.Diagnostics;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// A fourth broker joins a loaded three-broker cluster: shards move to it a bounded number at a
/// time (never more than queue.cluster.max-simultaneous-rebalance in flight), the load evens out,
/// and the producers and the consumer running through the join lose nothing: every acknowledged
/// message is consumed exactly once, in order.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class RebalanceSpec(ITestOutputHelper output)
{
    private const string Topic = "rebalance";
    // Enough partitions to occupy more shards than one rebalance round may move to a newcomer.
    private const int Partitions = 36;
    private const int MaxSimultaneousRebalance = 3;

    [Fact]
    public async Task A_joining_broker_takes_shards_a_bounded_number_at_a_time_and_no_acknowledged_message_is_lost()
    {
        await using var cluster = await TestCluster.CreateAsync(output);
        await cluster.StartAsync(["b1", "b2", "b3"], ["e1"]);
        await cluster.WaitUntilFormedAsync(TimeSpan.FromSeconds(60));
        var edge = cluster["e1"].Http;
        await edge.CreateTopicAsync(Topic, Partitions);
        await (await Probe.CreateAsync(edge, Topic)).UntilAllServeAsync(Enumerable.Range(0, Partitions), TimeSpan.FromSeconds(60), "every partition serves");
        var manager = (await Admin.GetClusterAsync(edge)).ManagerId;

        await using var traffic = await Traffic.StartAsync(Topic, [edge, cluster["b1"].Http, cluster["b2"].Http, cluster["b3"].Http], producers: 4, edge);
        await Eventually.True(() => traffic.Acked.Count >= 200, TimeSpan.FromSeconds(60), "200 messages are acknowledged before the join");

        // Watch the owner map while the newcomer joins.
        var observations = new List<(TimeSpan At, IReadOnlyDictionary<int, string?> Owners)>();
        using var stopWatching = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var watching = Task.Run(async () =>
        {
            while (!stopWatching.IsCancellationRequested)
            {
                try
                {
                    var map = await Admin.GetPartitionsAsync(edge);
                    lock (observations)
                    {
                        observations.Add((clock.Elapsed, map.OwnerByShard));
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or TaskCanceledException)
                {
                    // The edge is busy; the next look will do.
                }
                await Task.Delay(50);
            }
        });

        await cluster.StartBrokerAsync("b4");
        var joined = clock.Elapsed;
        await Eventually.True(async () =>
        {
            var perBroker = (await Admin.GetPartitionsAsync(edge)).OwnerByShard.GroupBy(kv => kv.Value!).ToDictionary(g => g.Key, g => g.Count());
            return perBroker.Count == 4 && perBroker.Values.Max() - perBroker.Values.Min() <= 1;
        }, TimeSpan.FromSeconds(90), "b4 holds its share and the shards are spread evenly over four brokers");
        var balanced = clock.Elapsed;
        await stopWatching.CancelAsync();
        await watching;

        // The producers are not stuck: each of them got new acknowledgements after the rebalance.
        var afterRebalance = traffic.AckCounts();
        await Eventually.True(() => traffic.AcksSince(afterRebalance) >= 20, TimeSpan.FromSeconds(60), "every producer is acknowledged again after the rebalance");
        await traffic.StopAsync();
        await traffic.DrainConsumerAsync(Topic, traffic.Consumer!.Value.Http, traffic.Consumer.Value.ConsumerId, TimeSpan.FromSeconds(60));

        var (moves, maxInFlight) = ManagerLog.Moves(cluster[manager].Process.Output);
        var changesPerLook = observations.Zip(observations.Skip(1), (a, b) => b.Owners.Count(kv => a.Owners.GetValueOrDefault(kv.Key) != kv.Value)).ToList();
        var b4Timeline = observations.Select(o => o.Owners.Values.Count(v => v == "b4")).Distinct().ToList();
        output.WriteLine($"b4 started after {joined.TotalSeconds:0.0} s; balanced after {(balanced - joined).TotalSeconds:0.0} s more; " +
            $"{moves} moves, at most {maxInFlight} in flight (manager {manager}'s log); " +
            $"{observations.Count} looks at the owner map, at most {changesPerLook.DefaultIfEmpty(0).Max()} shards changed between two looks; b4's shard count went {string.Join(" -> ", b4Timeline)}");
        output.WriteLine($"traffic: {traffic.Acked.Count} acknowledged, {traffic.Consumed.Count} consumed, {traffic.Retryable} retryable answers");

        Assert.True(maxInFlight <= MaxSimultaneousRebalance, $"{maxInFlight} shards were moving at once");
        Assert.True(moves >= 1);
        Assert.Empty(traffic.Unexpected);
        var log = await Journal.ReadAsync(cluster, Topic);
        await Journal.AssertDenseAndUniqueAsync(cluster, Topic, output);
        Journal.AssertAckedStored(traffic.Acked, log);
        // The consumer read the whole topic from the start (the probe messages too).
        Journal.AssertConsumedExactlyOnce(traffic.Consumed, log);
    }
}
