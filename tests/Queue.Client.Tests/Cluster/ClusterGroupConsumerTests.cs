using System.Collections.Concurrent;
using Queue.Testing;

namespace Queue.Client.Tests.Cluster;

/// <summary>Consumer groups across brokers and client modes: the group's entity lives on one broker, members reach it over HTTP or through the cluster.</summary>
[Collection(ThreeBrokerCollection.Name)]
public sealed class ClusterGroupConsumerTests(ClusterFixture cluster)
{
    [Fact]
    public async Task An_http_member_and_a_cluster_member_split_a_topic_and_read_every_message_once_between_them()
    {
        await cluster.WaitReadyAsync();
        var topic = cluster.NextTopicPrefix("group") + "orders";
        var http = cluster.HttpClient();
        var embedded = cluster.ClusterClient();
        await http.Admin.CreateTopicAsync(topic, partitions: 4);
        await using (var producer = http.CreateProducer())
        {
            await Task.WhenAll(Enumerable.Range(0, 80).Select(i => producer.SendAsync(topic, $"m{i}", key: $"k{i}")));
        }
        var options = new QueueGroupConsumerOptions { From = ConsumerStart.Earliest, SessionTimeout = TimeSpan.FromSeconds(30), PollWait = TimeSpan.FromMilliseconds(500) };
        await using var a = await http.CreateGroupConsumerAsync(topic + "-svc", topic, options);
        await using var b = await embedded.CreateGroupConsumerAsync(topic + "-svc", topic, options);
        await Eventually.True(() => Task.FromResult(a.Assignment.Generation == b.Assignment.Generation), TimeSpan.FromSeconds(60), "a saw b join");
        Assert.Equal(2, a.Assignment.Partitions.Count);
        Assert.Equal(2, b.Assignment.Partitions.Count);
        Assert.Empty(a.Assignment.Partitions.Intersect(b.Assignment.Partitions));

        var seen = new ConcurrentDictionary<(int, long), string>();
        using var stop = new CancellationTokenSource();
        var runs = new[] { a, b }.Select(member => Task.Run(async () =>
        {
            await foreach (var m in member.ConsumeAsync(stop.Token))
            {
                seen[(m.Partition, m.Offset)] = member.Assignment.MemberId;
            }
        })).ToList();
        await Eventually.True(() => Task.FromResult(seen.Count == 80), TimeSpan.FromSeconds(60), "all 80 messages were read");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.WhenAll(runs));
        // Each partition was read by its owner only.
        Assert.All(seen, kv => Assert.Equal(a.Assignment.Partitions.Contains(kv.Key.Item1) ? a.Assignment.MemberId : b.Assignment.MemberId, kv.Value));
    }
}
