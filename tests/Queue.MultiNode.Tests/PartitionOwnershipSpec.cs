using System.Net;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// Partitions are spread over the brokers, every broker's routing table agrees on who owns what,
/// and the owner named there is the one that really serves: each partition's journal row (owner
/// and fencing epoch, written by the broker that recovered the partition) matches the table, no
/// matter which broker's HTTP port the request came in on.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class PartitionOwnershipSpec(ITestOutputHelper output)
{
    private const string Topic = "spread";
    private const int Partitions = 12;

    [Fact]
    public async Task Each_broker_owns_some_partitions_and_the_routing_table_names_the_broker_that_serves_them()
    {
        await using var cluster = await TestCluster.CreateAsync(output);
        await cluster.StartAsync(["b1", "b2", "b3"]);
        await cluster.WaitUntilFormedAsync(TimeSpan.FromSeconds(60));
        var brokers = cluster.LiveBrokers.ToList();
        await brokers[0].Http.CreateTopicAsync(Topic, Partitions);

        // Every partition, produced to through every broker's own HTTP port: two of three are
        // forwarded to the owner, one is served in place.
        var acked = new List<Delivery>();
        foreach (var broker in brokers)
        {
            var producer = await broker.Http.RegisterProducerAsync(Topic);
            var probe = new Probe(broker.Http, Topic, producer);
            await probe.UntilAllServeAsync(Enumerable.Range(0, Partitions), TimeSpan.FromSeconds(60), $"every partition serves through {broker.NodeId}");
            acked.AddRange(probe.Acked);
        }

        // All brokers hold the same table, at the same version.
        PartitionMap? agreed = null;
        await Eventually.True(async () =>
        {
            var maps = new List<PartitionMap>();
            foreach (var broker in brokers)
            {
                maps.Add(await Admin.GetPartitionsAsync(broker.Http));
            }
            agreed = maps[0];
            return maps.All(m => m.RoutingVersion == agreed.RoutingVersion)
                && maps.All(m => m.Owners.All(kv => agreed.Owners[kv.Key] == kv.Value));
        }, TimeSpan.FromSeconds(30), "every broker reports the same /cluster/partitions");
        var perOwner = agreed!.PartitionsPerOwner;
        output.WriteLine($"routing version {agreed.RoutingVersion}; partitions per broker: " + string.Join(", ", perOwner.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}")));
        output.WriteLine($"shards in use: {agreed.OwnerByShard.Count}; per broker: " +
            string.Join(", ", agreed.OwnerByShard.GroupBy(kv => kv.Value).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}")));
        Assert.Equal(Partitions, agreed.Owners.Count);
        Assert.All(brokers, b => Assert.True(perOwner.GetValueOrDefault(b.NodeId) > 0, $"{b.NodeId} owns no partition"));
        // Whole shards are the unit of placement, and they are spread evenly (least-shards strategy).
        var shardsPerBroker = agreed.OwnerByShard.GroupBy(kv => kv.Value).Select(g => g.Count()).ToList();
        Assert.True(shardsPerBroker.Max() - shardsPerBroker.Min() <= 1, "shards are not spread evenly");

        // The journal says who recovered (and so served) each partition, under which epoch.
        var rows = await cluster.QueryAsync($"SELECT partition, owner, epoch FROM partitions WHERE topic = '{Topic}'");
        Assert.Equal(Partitions, rows.Count);
        foreach (var row in rows)
        {
            var owner = agreed.Owners[(Topic, (int)row[0])];
            Assert.Equal(owner.Owner, (string)row[1]);
            Assert.Equal(owner.Epoch, (long)row[2]);
        }

        // Each partition's messages, in the order they were acknowledged, read back through a
        // broker that does not own it.
        foreach (var partition in Enumerable.Range(0, Partitions))
        {
            var reader = brokers.First(b => b.NodeId != agreed.Owners[(Topic, partition)].Owner).Http;
            var consumer = await reader.RegisterConsumerAsync(Topic, "earliest", partition);
            var consumed = await reader.DrainAsync(Topic, consumer, partition);
            Assert.Equal(acked.Where(a => a.Partition == partition).OrderBy(a => a.Offset), consumed.Select(c => new Delivery(c.Partition, c.Offset, c.Message)));
        }
        await Journal.AssertDenseAndUniqueAsync(cluster, Topic, output);
        Assert.Equal(HttpStatusCode.OK, await Admin.ReadyStatusAsync(brokers[0].Http));
    }
}
