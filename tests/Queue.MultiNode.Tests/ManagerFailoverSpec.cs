using System.Diagnostics;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// The manager singleton survives the loss of its node: kill -9 the manager's broker, and another
/// broker takes the lease under a higher epoch once it lapses; the dead broker's partitions are
/// reallocated, and every partition serves again. Default timings, so the printed figures are the
/// ones an operator gets.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class ManagerFailoverSpec(ITestOutputHelper output)
{
    private const string Topic = "failover";
    private const int Partitions = 12;

    [Fact]
    public async Task Kill_9_of_the_managers_node_elects_a_new_manager_and_every_partition_serves_again()
    {
        await using var cluster = await TestCluster.CreateAsync(output);
        await cluster.StartAsync(["b1", "b2", "b3"], ["e1"]);
        await cluster.WaitUntilFormedAsync(TimeSpan.FromSeconds(60));
        var edge = cluster["e1"].Http;
        await edge.CreateTopicAsync(Topic, Partitions);
        var probe = await Probe.CreateAsync(edge, Topic);
        await probe.UntilAllServeAsync(Enumerable.Range(0, Partitions), TimeSpan.FromSeconds(60), "every partition of the new topic serves");

        var before = await Admin.GetClusterAsync(edge);
        var victim = before.ManagerId;
        var victimPartitions = (await Admin.GetPartitionsAsync(edge)).Owners.Where(kv => kv.Value.Owner == victim).Select(kv => kv.Key.Partition).ToList();
        output.WriteLine($"manager {victim} at epoch {before.ManagerEpoch} owns partitions {string.Join(",", victimPartitions)}");

        var clock = Stopwatch.StartNew();
        await cluster.KillAsync(victim);

        // Asked of every survivor: they must agree on the new manager.
        var survivors = cluster.LiveNodes.ToList();
        await Eventually.True(async () =>
        {
            foreach (var node in survivors)
            {
                var state = await Admin.GetClusterAsync(node.Http);
                if (state.ManagerId.Length == 0 || state.ManagerId == victim || state.ManagerEpoch <= before.ManagerEpoch)
                {
                    return false;
                }
            }
            return true;
        }, TimeSpan.FromSeconds(30), $"a broker other than {victim} is manager under an epoch above {before.ManagerEpoch}, as every survivor sees it");
        var takeover = clock.Elapsed;
        var after = await Admin.GetClusterAsync(edge);
        Assert.NotEqual(victim, after.ManagerId);
        Assert.True(after.ManagerEpoch > before.ManagerEpoch);

        var served = await probe.UntilAllServeAsync(Enumerable.Range(0, Partitions), TimeSpan.FromSeconds(60), "every partition serves after the manager's node died");
        var allServing = clock.Elapsed;
        await Eventually.True(async () =>
        {
            var map = await Admin.GetPartitionsAsync(edge);
            return map.Owners.Values.All(o => o.Owner is not null && o.Owner != victim);
        }, TimeSpan.FromSeconds(30), $"no partition is left on {victim}");
        Assert.Contains(victim, (await Admin.GetClusterAsync(edge)).Members.Where(m => m.Status is "down" or "unreachable").Select(m => m.NodeId));

        output.WriteLine($"new manager {after.ManagerId} (epoch {before.ManagerEpoch} -> {after.ManagerEpoch}) {takeover.TotalSeconds:0.0} s after kill -9; " +
            $"all {Partitions} partitions serving after {allServing.TotalSeconds:0.0} s (the dead manager's {victimPartitions.Count} included)");

        await Journal.AssertDenseAndUniqueAsync(cluster, Topic, output);
        Journal.AssertAckedStored(probe.Acked, await Journal.ReadAsync(cluster, Topic));
    }
}
