using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Queue.Client.Transport;
using Queue.Testing;

namespace Queue.Client.Tests.Cluster;

/// <summary>The cluster client's membership and its choice by configuration, against three brokers.</summary>
[Collection(ThreeBrokerCollection.Name)]
public sealed class ClusterClientTests(ClusterFixture cluster)
{
    [Theory]
    [InlineData("Http")]
    [InlineData("Cluster")]
    public async Task The_same_application_code_runs_in_either_mode_chosen_by_configuration_only(string mode)
    {
        await cluster.WaitReadyAsync();
        var options = cluster.Options(QueueClientMode.Http);
        var settings = new Dictionary<string, string?>
        {
            ["Queue:Mode"] = mode,
            ["Queue:BaseAddress"] = options.BaseAddress.ToString(),
            // One entry holding several addresses, as an environment variable would carry them.
            ["Queue:SeedNodes:0"] = string.Join(",", cluster.BrokerAddresses),
            ["Queue:InsecureDev"] = "true",
            ["Queue:Consumer:From"] = "Earliest",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var topic = cluster.NextTopicPrefix("config-" + mode.ToLowerInvariant()) + "orders";

        await using var provider = new ServiceCollection().AddQueueClient(configuration.GetSection("Queue")).BuildServiceProvider();
        var client = provider.GetRequiredService<QueueClient>();
        Assert.IsType(mode == "Cluster" ? typeof(ClusterQueueTransport) : typeof(HttpQueueTransport), client.Transport);

        await provider.GetRequiredService<QueueAdminClient>().CreateTopicAsync(topic, partitions: 6);
        var producer = provider.GetRequiredService<QueueProducer>();
        var sent = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => producer.SendAsync(topic, $"m{i}", key: $"k{i % 7}")));
        await using var consumer = await client.CreateConsumerAsync(topic);
        var received = new List<ConsumedMessage>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await foreach (var message in consumer.ConsumeAsync(timeout.Token))
        {
            received.Add(message);
            if (received.Count == sent.Length)
            {
                break;
            }
        }
        Assert.Equal(sent.OrderBy(o => o.Partition).ThenBy(o => o.Offset), received.Select(m => new MessageOffset(m.Partition, m.Offset)).OrderBy(o => o.Partition).ThenBy(o => o.Offset));
        // The loop broke after the last message, so auto-commit has not counted it as processed yet.
        await consumer.CommitAsync();
        Assert.Equal(0, await consumer.SizeAsync());
    }

    [Fact]
    public async Task A_cluster_client_joins_as_a_client_member_owns_no_shards_and_leaves_on_dispose()
    {
        await cluster.WaitReadyAsync();
        var transport = new ClusterQueueTransport(cluster.Options(QueueClientMode.Cluster));
        try
        {
            await transport.JoinAsync(TimeSpan.FromSeconds(30));
            // The edge's view converges by gossip; a member that joined while another was
            // unreachable is "weaklyup" until the cluster converges again.
            await Queue.Testing.Eventually.True(async () => (await MemberAsync(transport.NodeId))?.GetProperty("status").GetString() == "up",
                TimeSpan.FromSeconds(30), "the edge sees the client as an up member");
            var member = await MemberAsync(transport.NodeId);
            Assert.Equal(["client"], member!.Value.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));

            var topic = cluster.NextTopicPrefix("member") + "t";
            await using (var client = new QueueClient(transport, cluster.Options(QueueClientMode.Cluster)))
            {
                await client.Admin.CreateTopicAsync(topic, partitions: 8);
                await using var producer = client.CreateProducer();
                await Task.WhenAll(Enumerable.Range(0, 8).Select(p => producer.SendAsync(topic, "x", partition: p)));
            }
            for (var p = 0; p < 8; p++)
            {
                Assert.Contains(await cluster.OwnerOfAsync(topic, p), new[] { "b1", "b2", "b3" });
            }
        }
        finally
        {
            await transport.DisposeAsync();
        }
        // A graceful leave goes through leaving/exiting to removed, after which the member is no
        // longer listed at all; a crash would leave it "unreachable" instead.
        await Eventually.True(async () => (await MemberAsync(transport.NodeId))?.GetProperty("status").GetString() is null or "leaving" or "exiting" or "removed",
            TimeSpan.FromSeconds(10), $"{transport.NodeId} has left the cluster");
    }

    private async Task<JsonElement?> MemberAsync(string nodeId)
    {
        foreach (var member in (await cluster.MembersAsync()).EnumerateArray())
        {
            if (member.GetProperty("node_id").GetString() == nodeId)
            {
                return member;
            }
        }
        return null;
    }
}
