using System.Net;
using System.Net.Http.Json;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// Three brokers and an edge-only node form one cluster: the edge serves the whole seed API by
/// forwarding to the brokers, every node is ready, and /cluster shows four members and one manager.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class ClusterFormationSpec(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_brokers_and_an_edge_form_a_cluster_and_serve_the_seed_api_through_the_edge()
    {
        await using var cluster = await TestCluster.CreateAsync(output);
        await cluster.StartAsync(["b1", "b2", "b3"], ["e1"]);
        await cluster.WaitUntilFormedAsync(TestCluster.FormTimeout);

        // Every node, asked directly, agrees on the members and on one manager (a broker).
        foreach (var node in cluster.Nodes)
        {
            var state = await Admin.GetClusterAsync(node.Http);
            Assert.Equal(["b1", "b2", "b3", "e1"], state.Members.Select(m => m.NodeId).Order(StringComparer.Ordinal));
            Assert.All(state.Members, m => Assert.Equal("up", m.Status));
            Assert.Contains(state.ManagerId, new[] { "b1", "b2", "b3" });
            Assert.Equal(["edge"], state.Member("e1")!.Roles);
        }
        var managers = new HashSet<string>();
        foreach (var node in cluster.Nodes)
        {
            managers.Add((await Admin.GetClusterAsync(node.Http)).ManagerId);
        }
        Assert.Single(managers);
        output.WriteLine($"manager: {managers.Single()}");

        // The seed API, through the edge only.
        var edge = cluster["e1"].Http;
        const string topic = "formation";
        await edge.CreateTopicAsync(topic, 6);
        using (var again = await edge.PostAsJsonAsync("topics", new { topic_name = topic, number_of_partitions = 6 }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        }
        Assert.Contains(topic, await edge.ListTopicsAsync());
        Assert.Equal([0, 1, 2, 3, 4, 5], await edge.ListPartitionsAsync(topic));
        // Registration reads the partitions, whose shards sharding places on first use: a 503
        // "retry later" while that happens is the documented answer, so retry it.
        var producer = await SeedApi.RetryAsync(() => edge.RegisterProducerAsync(topic), TimeSpan.FromSeconds(30));
        var consumer = await SeedApi.RetryAsync(() => edge.RegisterConsumerAsync(topic, "earliest"), TimeSpan.FromSeconds(30));
        var sent = new List<Delivery>();
        for (var i = 0; i < 24; i++)
        {
            // New topics' shards are placed on first use; the first produce may race that.
            var (status, body) = await SeedApi.RetryAsync(async () =>
            {
                var reply = await edge.ProduceAsync(topic, producer, $"m{i}");
                return reply.Status == HttpStatusCode.ServiceUnavailable ? throw new InvalidOperationException($"produce answered 503: {reply.Body}") : reply;
            }, TimeSpan.FromSeconds(30));
            Assert.Equal(HttpStatusCode.OK, status);
            sent.Add(new Delivery(body.GetProperty("partition").GetInt32(), body.GetProperty("offset").GetInt64(), $"m{i}"));
        }
        Assert.Equal(6, sent.Select(s => s.Partition).Distinct().Count());
        Assert.Equal(24, await edge.SizeAsync(topic, consumer));
        var consumed = await edge.DrainAsync(topic, consumer);
        Assert.Equal(sent.OrderBy(s => s.Partition).ThenBy(s => s.Offset), consumed.Select(c => new Delivery(c.Partition, c.Offset, c.Message)).OrderBy(s => s.Partition).ThenBy(s => s.Offset));
        Assert.Equal(0, await edge.SizeAsync(topic, consumer));

        // The partitions really are spread: the edge holds none, the brokers share them.
        var map = await Admin.GetPartitionsAsync(edge);
        Assert.All(map.Owners.Values, o => Assert.Contains(o.Owner, new[] { "b1", "b2", "b3" }));
        output.WriteLine("partitions per broker: " + string.Join(", ", map.PartitionsPerOwner.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}")));
    }
}
