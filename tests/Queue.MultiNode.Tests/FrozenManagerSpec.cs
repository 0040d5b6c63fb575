using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// A manager that pauses (SIGSTOP: a long GC pause, a stalled VM) for less than its lease but
/// longer than down-after wakes up still the manager. The silence it measures then is its own,
/// not its members': it must not declare the members down and move every shard.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class FrozenManagerSpec(ITestOutputHelper output)
{
    private const string Topic = "pausedmanager";
    private const int Partitions = 12;

    // A lease long enough to outlast the pause (10 s - 2 s margin), a down-after it exceeds.
    private const string Config = """
        queue.cluster {
          lease-ttl = 10s
          lease-safety-margin = 2s
        }
        """;

    // Between down-after (3 s) and the lease's local validity (8 s after the last renewal).
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(4.5);

    [Fact]
    public async Task A_manager_paused_within_its_lease_does_not_declare_its_members_down()
    {
        await using var cluster = await TestCluster.CreateAsync(output, config: Config);
        await cluster.StartAsync(["b1", "b2", "b3"]);
        await cluster.WaitUntilFormedAsync(TimeSpan.FromSeconds(60));
        var before = await Admin.GetClusterAsync(cluster["b1"].Http);
        var manager = cluster[before.ManagerId];
        var observer = cluster.LiveBrokers.First(b => b != manager);
        await observer.Http.CreateTopicAsync(Topic, Partitions);
        var probe = await Probe.CreateAsync(observer.Http, Topic);
        await probe.UntilAllServeAsync(Enumerable.Range(0, Partitions), TimeSpan.FromSeconds(60), "every partition serves");
        var allocationsBefore = await AllocationsAsync(cluster);

        await manager.Process.FreezeAsync();
        try
        {
            // The length of the pause is the stimulus here, not a wait for an outcome.
            await Task.Delay(Pause);
        }
        finally
        {
            await manager.Process.ResumeAsync();
        }
        var resumed = DateTimeOffset.UtcNow;

        // Wait until the woken manager has heard every member again (so it has run its failure
        // detector since waking), then look at what it decided.
        await Eventually.True(async () =>
        {
            var state = await Admin.GetClusterAsync(observer.Http);
            return state.ManagerId.Length > 0 && state.Members.All(m => m.Status == "up" && m.LastHeartbeat > resumed.AddSeconds(1));
        }, TimeSpan.FromSeconds(30), "every member heartbeats to a manager again");
        var after = await Admin.GetClusterAsync(observer.Http);
        var downs = manager.Process.Output.Split('\n').Where(l => l.Contains(" is Down", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
        var allocationsAfter = await AllocationsAsync(cluster);
        var moved = allocationsAfter.Count(kv => allocationsBefore.GetValueOrDefault(kv.Key) != kv.Value);
        output.WriteLine($"manager {manager.NodeId} (epoch {before.ManagerEpoch}) paused {Pause.TotalSeconds:0.0} s; afterwards manager {after.ManagerId} (epoch {after.ManagerEpoch}); " +
            $"members it declared down: {(downs.Count == 0 ? "none" : string.Join("; ", downs))}; shards moved: {moved} of {allocationsBefore.Count}");

        Assert.Equal(before.ManagerId, after.ManagerId);
        Assert.Equal(before.ManagerEpoch, after.ManagerEpoch);
        Assert.Empty(downs);
        Assert.Equal(0, moved);
        await probe.UntilAllServeAsync(Enumerable.Range(0, Partitions), TimeSpan.FromSeconds(30), "every partition serves after the pause");
        await Journal.AssertDenseAndUniqueAsync(cluster, Topic, output);
    }

    private static async Task<Dictionary<int, (string Owner, long Epoch)>> AllocationsAsync(TestCluster cluster) =>
        (await cluster.QueryAsync("SELECT shard, owner, epoch FROM shard_allocations")).ToDictionary(r => (int)r[0], r => ((string)r[1], (long)r[2]));
}
