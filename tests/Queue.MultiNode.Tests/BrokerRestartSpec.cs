using System.Diagnostics;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// A broker killed with SIGKILL and started again at once under the same node id (a supervisor
/// restarting a crashed process) comes back before the failure detector declares it down: the
/// new incarnation must register, recover its partitions from the journal under their current
/// epochs, and serve them, with nothing acknowledged lost or duplicated.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class BrokerRestartSpec(ITestOutputHelper output)
{
    private const string Topic = "restart";
    private const int Partitions = 6;

    [Fact]
    public async Task A_broker_restarted_right_after_kill_9_serves_its_partitions_again_and_nothing_is_lost()
    {
        await using var cluster = await TestCluster.CreateAsync(output);
        var (edge, probe) = await cluster.StartServingTopicAsync(Topic, Partitions);
        var manager = (await Admin.GetClusterAsync(edge)).ManagerId;
        var victim = (await Admin.GetPartitionsAsync(edge)).PartitionsPerOwner.Where(kv => kv.Key != manager).OrderByDescending(kv => kv.Value).First().Key;

        await using var traffic = await Traffic.StartAsync(Topic, [edge], producers: 4, edge);
        await Eventually.True(() => traffic.Acked.Count >= 200, TimeSpan.FromSeconds(60), "200 messages are acknowledged before the crash");

        var clock = Stopwatch.StartNew();
        await cluster.KillAsync(victim);
        var restarted = await cluster.RestartBrokerAsync(victim);
        var up = clock.Elapsed;
        await cluster.WaitUntilFormedAsync(TimeSpan.FromSeconds(60));
        var served = await probe.UntilAllServeAsync(Enumerable.Range(0, Partitions), TimeSpan.FromSeconds(60), "every partition serves after the restart");
        var afterRestart = traffic.AckCounts();
        await Eventually.True(() => traffic.AcksSince(afterRestart) >= 20, TimeSpan.FromSeconds(60), "every producer is acknowledged after the restart");
        await traffic.StopAsync();
        await traffic.DrainConsumerAsync(Topic, traffic.Consumer!.Value.Http, traffic.Consumer.Value.ConsumerId, TimeSpan.FromSeconds(60));

        var map = await Admin.GetPartitionsAsync(edge);
        var downs = cluster[manager].Process.Output.Contains($"Member {victim} is Down", StringComparison.Ordinal);
        output.WriteLine($"{victim} killed and serving HTTP again after {up.TotalSeconds:0.0} s (declared down meanwhile: {downs}); once it was back, every partition answered a probe within {served.TotalSeconds:0.0} s; " +
            $"it owns {map.PartitionsPerOwner.GetValueOrDefault(victim)} partitions now");
        output.WriteLine($"traffic: {traffic.Acked.Count} acknowledged, {traffic.Consumed.Count} consumed, {traffic.Retryable} retryable answers");

        Assert.Empty(traffic.Unexpected);
        var log = await Journal.ReadAsync(cluster, Topic);
        await Journal.AssertDenseAndUniqueAsync(cluster, Topic, output);
        Journal.AssertAckedStored(traffic.Acked.Concat(probe.Acked), log);
        Journal.AssertConsumedExactlyOnce(traffic.Consumed, log);
        // The journal's fencing epochs and owners are the routing table's.
        foreach (var row in await cluster.QueryAsync($"SELECT partition, owner, epoch FROM partitions WHERE topic = '{Topic}'"))
        {
            var owner = map.Owners[(Topic, (int)row[0])];
            Assert.Equal((owner.Owner, owner.Epoch), ((string)row[1], (long?)(long)row[2]));
        }
        Assert.Equal("up", (await Admin.GetClusterAsync(restarted.Http)).Member(victim)?.Status);
    }
}
