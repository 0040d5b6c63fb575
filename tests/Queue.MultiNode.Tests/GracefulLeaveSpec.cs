using System.Diagnostics;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// SIGTERM is a graceful leave: the broker asks the manager to hand its shards off before it stops
/// serving, so its partitions move without waiting for the failure detector, the node is listed as
/// left, it exits cleanly, and traffic running through the leave loses nothing.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class GracefulLeaveSpec(ITestOutputHelper output)
{
    private const string Topic = "leave";
    private const int Partitions = 12;

    [Fact]
    public async Task A_broker_stopped_with_sigterm_hands_its_shards_off_and_leaves_cleanly()
    {
        await using var cluster = await TestCluster.CreateAsync(output);
        var (edge, probe) = await cluster.StartServingTopicAsync(Topic, Partitions);

        var manager = (await Admin.GetClusterAsync(edge)).ManagerId;
        var owners = await Admin.GetPartitionsAsync(edge);
        var leaver = cluster[owners.PartitionsPerOwner.Where(kv => kv.Key != manager).OrderByDescending(kv => kv.Value).First().Key];
        await using var traffic = await Traffic.StartAsync(Topic, [edge], producers: 3, edge);
        await Eventually.True(() => traffic.Acked.Count >= 150, TimeSpan.FromSeconds(60), "150 messages are acknowledged before the leave");

        var clock = Stopwatch.StartNew();
        leaver.IsAlive = false;
        await leaver.Process.TerminateAsync(TimeSpan.FromSeconds(60));
        var stopped = clock.Elapsed;
        Assert.Equal(0, leaver.Process.ExitCode);
        await Eventually.True(async () =>
        {
            var map = await Admin.GetPartitionsAsync(edge);
            return map.Owners.Values.All(o => o.Owner is not null && o.Owner != leaver.NodeId);
        }, TimeSpan.FromSeconds(30), $"no partition is left on {leaver.NodeId}");
        var moved = clock.Elapsed;
        // Akka moves a leaving member through Exiting to Removed, after which it is no longer listed.
        await Eventually.True(async () => (await Admin.GetClusterAsync(edge)).Member(leaver.NodeId)?.Status is null or "left",
            TimeSpan.FromSeconds(30), $"{leaver.NodeId} is listed as left or removed from the members");

        var afterLeave = traffic.AckCounts();
        await Eventually.True(() => traffic.AcksSince(afterLeave) >= 20, TimeSpan.FromSeconds(60), "every producer is acknowledged after the leave");
        await traffic.StopAndDrainAsync(Topic);
        output.WriteLine($"SIGTERM to {leaver.NodeId} (owner of {owners.PartitionsPerOwner[leaver.NodeId]} partitions): process exited after {stopped.TotalSeconds:0.0} s, " +
            $"its partitions were elsewhere {moved.TotalSeconds:0.0} s after the signal");
        output.WriteLine($"traffic: {traffic.Acked.Count} acknowledged, {traffic.Consumed.Count} consumed, {traffic.Retryable} retryable answers");

        await Journal.AssertTrafficStoredAsync(cluster, Topic, traffic, probe.Acked, brokerCrashed: false, output);
    }

    /// <summary>
    /// The manager itself leaving: it hands its own shards off, then gives the lease back, so the
    /// next manager takes over at once instead of after lease-ttl.
    /// </summary>
    [Fact]
    public async Task The_manager_stopped_with_sigterm_hands_off_and_gives_the_lease_back()
    {
        await using var cluster = await TestCluster.CreateAsync(output);
        var (edge, probe) = await cluster.StartServingTopicAsync(Topic, Partitions);
        var before = await Admin.GetClusterAsync(edge);
        var leaver = cluster[before.ManagerId];
        var owned = (await Admin.GetPartitionsAsync(edge)).PartitionsPerOwner.GetValueOrDefault(leaver.NodeId);
        await using var traffic = await Traffic.StartAsync(Topic, [edge], producers: 3, edge);
        await Eventually.True(() => traffic.Acked.Count >= 150, TimeSpan.FromSeconds(60), "150 messages are acknowledged before the leave");

        var clock = Stopwatch.StartNew();
        leaver.IsAlive = false;
        await leaver.Process.TerminateAsync(TimeSpan.FromSeconds(60));
        var stopped = clock.Elapsed;
        Assert.Equal(0, leaver.Process.ExitCode);
        await Eventually.True(async () =>
        {
            var state = await Admin.GetClusterAsync(edge);
            return state.ManagerId.Length > 0 && state.ManagerId != leaver.NodeId;
        }, TimeSpan.FromSeconds(30), "another broker is manager");
        var takeover = clock.Elapsed;
        var served = await probe.UntilAllServeAsync(Enumerable.Range(0, Partitions), TimeSpan.FromSeconds(60), "every partition serves after the manager left");
        var map = await Admin.GetPartitionsAsync(edge);
        Assert.All(map.Owners.Values, o => Assert.NotEqual(leaver.NodeId, o.Owner));
        // Akka moves a leaving member through Exiting to Removed, after which it is no longer listed.
        await Eventually.True(async () => (await Admin.GetClusterAsync(edge)).Member(leaver.NodeId)?.Status is null or "left",
            TimeSpan.FromSeconds(30), $"{leaver.NodeId} is listed as left or removed from the members");

        var afterLeave = traffic.AckCounts();
        await Eventually.True(() => traffic.AcksSince(afterLeave) >= 20, TimeSpan.FromSeconds(60), "every producer is acknowledged after the leave");
        await traffic.StopAndDrainAsync(Topic);
        output.WriteLine($"SIGTERM to manager {leaver.NodeId} (owner of {owned} partitions): exited after {stopped.TotalSeconds:0.0} s; " +
            $"new manager {(await Admin.GetClusterAsync(edge)).ManagerId} after {takeover.TotalSeconds:0.0} s; all partitions serving {served.TotalSeconds:0.0} s later");
        output.WriteLine($"traffic: {traffic.Acked.Count} acknowledged, {traffic.Consumed.Count} consumed, {traffic.Retryable} retryable answers");

        await Journal.AssertTrafficStoredAsync(cluster, Topic, traffic, probe.Acked, brokerCrashed: false, output);
    }
}
