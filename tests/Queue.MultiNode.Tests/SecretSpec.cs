using System.Net;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// The cluster secret is the membership credential: a node with the wrong one is refused at the
/// transport handshake and never becomes a member, and a clustered node without any secret does
/// not start at all.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class SecretSpec(ITestOutputHelper output)
{
    [Fact]
    public async Task A_node_with_the_wrong_secret_is_refused_and_never_becomes_a_member()
    {
        await using var cluster = await TestCluster.CreateAsync(output);
        await cluster.StartAsync(["b1", "b2"]);
        await cluster.WaitUntilFormedAsync(TimeSpan.FromSeconds(60));

        // An edge has no database: the secret is all it could join with.
        var intruder = await cluster.StartEdgeAsync("intruder", secret: "not-" + cluster.Secret);
        string Refusals() => string.Concat(cluster["b1"].Process.Output, cluster["b2"].Process.Output);
        int RefusalCount() => Refusals().Split("claiming node id intruder").Length - 1;

        // It keeps trying (every heartbeat interval); watch /cluster and its /ready across several
        // refused attempts, not at one instant.
        // (Violations are recorded, not asserted inside the wait, which would retry past them.)
        var listed = 0;
        var ready = 0;
        var looks = 0;
        await Eventually.True(async () =>
        {
            var state = await Admin.GetClusterAsync(cluster["b1"].Http);
            listed += state.Member("intruder") is null ? 0 : 1;
            ready += await Admin.ReadyStatusAsync(intruder.Http) == HttpStatusCode.ServiceUnavailable ? 0 : 1;
            looks++;
            return RefusalCount() >= 3;
        }, TimeSpan.FromSeconds(60), "the seeds refused the intruder's handshake three times");
        Assert.Equal(0, listed);
        Assert.Equal(0, ready);
        Assert.True(looks > 0);
        Assert.Contains("authentication failed", Refusals(), StringComparison.Ordinal);
        Assert.Equal(["b1", "b2"], (await Admin.GetClusterAsync(cluster["b2"].Http)).Members.Select(m => m.NodeId).Order(StringComparer.Ordinal));
        output.WriteLine($"refused handshakes from the intruder: {RefusalCount()}");
    }

    /// <summary>
    /// A broker has a second credential, the database, and with it could take the manager lease
    /// when it lapses: a manager nobody can talk to, which then allocates every shard to the only
    /// member it can register, itself. A broker whose secret the cluster refused must not compete.
    /// </summary>
    [Fact]
    public async Task A_broker_with_the_wrong_secret_never_becomes_a_member_nor_the_manager()
    {
        await using var cluster = await TestCluster.CreateAsync(output);
        await cluster.StartAsync(["b1", "b2"]);
        await cluster.WaitUntilFormedAsync(TimeSpan.FromSeconds(60));
        const string topic = "guarded";
        await cluster["b2"].Http.CreateTopicAsync(topic, 6);
        var probe = await Probe.CreateAsync(cluster["b2"].Http, topic);
        await probe.UntilAllServeAsync(Enumerable.Range(0, 6), TimeSpan.FromSeconds(60), "every partition serves");

        var intruder = await cluster.StartBrokerAsync("intruder", secret: "not-" + cluster.Secret);
        await Eventually.True(() => cluster["b1"].Process.Output.Contains("claiming node id intruder", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the manager refused the intruder's handshake");
        Assert.Null((await Admin.GetClusterAsync(cluster["b2"].Http)).Member("intruder"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Admin.ReadyStatusAsync(intruder.Http));

        // The manager dies; the lease lapses; the intruder could take it. It must not.
        var before = await Admin.GetClusterAsync(cluster["b2"].Http);
        Assert.Equal("b1", before.ManagerId);
        await cluster.KillAsync("b1");
        await Eventually.True(async () =>
        {
            var lease = await cluster.QueryAsync("SELECT holder, epoch FROM manager_lease WHERE expires_at > now()");
            return lease.Count == 1 && (long)lease[0][1] > before.ManagerEpoch;
        }, TimeSpan.FromSeconds(30), "someone took the lapsed lease");
        var holder = (string)(await cluster.QueryAsync("SELECT holder FROM manager_lease"))[0][0];
        output.WriteLine($"after b1 died the lease went to {holder}");
        Assert.Equal("b2", holder);
        await probe.UntilAllServeAsync(Enumerable.Range(0, 6), TimeSpan.FromSeconds(60), "every partition serves on b2");
        var owners = await cluster.QueryAsync("SELECT DISTINCT owner FROM shard_allocations");
        Assert.Equal(["b2"], owners.Select(r => (string)r[0]));
        Assert.Null((await Admin.GetClusterAsync(cluster["b2"].Http)).Member("intruder"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Admin.ReadyStatusAsync(intruder.Http));
    }

    [Theory]
    [InlineData("Queue.Node.dll")]
    [InlineData("Queue.Http.dll")]
    public async Task A_clustered_node_without_a_secret_refuses_to_start(string program)
    {
        string[] args = ["--node-id", "nosecret", "--port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed-nodes", "127.0.0.1:1"];
        if (program == "Queue.Node.dll")
        {
            // A broker would need its database first; a bogus one shows the secret is checked before it is used.
            args = [.. args, "--postgres", "Host=127.0.0.1;Port=1;Username=nobody"];
        }
        // Set to empty, so a secret in the test runner's own environment cannot leak in.
        await using var node = NodeProcess.Launch(args, program: program, environment: new Dictionary<string, string> { ["QUEUE_CLUSTER_SECRET"] = "" });
        Assert.True(await node.WaitForExitAsync(TimeSpan.FromSeconds(60)), $"{program} kept running without a secret:{Environment.NewLine}{node.Output}");
        output.WriteLine($"{program} exited with {node.ExitCode}: {node.Output.Trim()}");
        Assert.NotEqual(0, node.ExitCode);
        Assert.Contains("--cluster-secret", node.Output, StringComparison.Ordinal);
    }
}
