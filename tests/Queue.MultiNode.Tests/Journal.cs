using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// What the cluster stored, read back through the seed API by a fresh consumer from the earliest
/// offset (the journal is Akka's event_journal now, an internal format the specs should not
/// parse), and the checks every failure spec makes against it: dense offsets, no message twice,
/// every acknowledged message at the offset its acknowledgement named, and a consumer that saw
/// each partition's log in order, each offset once.
/// </summary>
public static class Journal
{
    /// <summary>Every message of <paramref name="topic"/>, per partition in offset order, as a new earliest consumer on a live edge reads it.</summary>
    public static async Task<Dictionary<int, List<Delivery>>> ReadAsync(TestCluster cluster, string topic)
    {
        var http = cluster.LiveNodes.First().Http;
        var consumer = await SeedApi.RetryAsync(() => http.RegisterConsumerAsync(topic, "earliest"), TimeSpan.FromSeconds(30));
        await using var reader = Traffic.Start(topic, [], null);
        await reader.DrainConsumerAsync(topic, http, consumer, TimeSpan.FromSeconds(60));
        return reader.Consumed
            .GroupBy(d => d.Partition)
            .ToDictionary(g => g.Key, g => g.OrderBy(d => d.Offset).ToList());
    }

    /// <summary>
    /// The read-back log: offsets dense from 0 in every partition, no offset read twice, and no
    /// message text stored twice (every producer's texts are unique).
    /// </summary>
    public static void AssertDenseAndUnique(Dictionary<int, List<Delivery>> log, string topic, ITestOutputHelper output)
    {
        foreach (var (partition, messages) in log)
        {
            var offsets = messages.Select(m => m.Offset).ToList();
            Assert.True(offsets.SequenceEqual(Enumerable.Range(0, offsets.Count).Select(i => (long)i)),
                $"partition {partition}: offsets are not dense from 0 or one was read twice: {string.Join(",", offsets.Take(20))}...");
        }
        var duplicates = log.Values.SelectMany(m => m).GroupBy(d => d.Message).Where(g => g.Count() > 1).Select(g => g.Key).Take(5).ToList();
        Assert.True(duplicates.Count == 0, "messages stored twice: " + string.Join(", ", duplicates));
        output.WriteLine($"log of {topic}: {log.Values.Sum(m => m.Count)} messages in {log.Count} partitions, offsets dense, no duplicates");
    }

    /// <summary>Every acknowledged message is in the journal at exactly the (partition, offset) it was acknowledged with.</summary>
    public static void AssertAckedStored(IEnumerable<Delivery> acked, Dictionary<int, List<Delivery>> log)
    {
        foreach (var ack in acked)
        {
            Assert.True(log.TryGetValue(ack.Partition, out var messages) && ack.Offset < messages.Count,
                $"acknowledged {ack} is not in the journal");
            Assert.Equal(ack, messages[(int)ack.Offset]);
        }
    }

    /// <summary>
    /// A consumer that read the whole topic from the start: per partition it got exactly the
    /// journal's messages, in offset order, none twice, none skipped.
    /// </summary>
    public static void AssertConsumedExactlyOnce(IEnumerable<Delivery> consumed, Dictionary<int, List<Delivery>> log)
    {
        var byPartition = consumed.GroupBy(d => d.Partition).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (partition, messages) in log)
        {
            var got = byPartition.GetValueOrDefault(partition) ?? [];
            var duplicates = got.GroupBy(d => d.Offset).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(duplicates.Count == 0, $"partition {partition}: offsets consumed twice: {string.Join(", ", duplicates.Take(10))}");
            var missing = messages.Select(m => m.Offset).Except(got.Select(d => d.Offset)).ToList();
            Assert.True(missing.Count == 0, $"partition {partition}: offsets never consumed: {string.Join(", ", missing.Take(10))} ({missing.Count} in all)");
            Assert.Equal(messages, got);
        }
        Assert.Empty(byPartition.Keys.Except(log.Keys));
    }

    /// <summary>
    /// What the seed consume guarantees across a broker crash: per partition the consumer got the
    /// journal's messages in offset order, none twice; an offset may be skipped only where a
    /// consume went unanswered (the broker moved the position, committed it, and died before its
    /// answer arrived: the hand-back that would undo it lived in that broker's memory, see
    /// docs/architecture.md), so skipped offsets are at most <paramref name="unansweredConsumes"/>.
    /// </summary>
    public static void AssertConsumedInOrderAtMostOnce(
        IEnumerable<Delivery> consumed, Dictionary<int, List<Delivery>> log, int unansweredConsumes, ITestOutputHelper output)
    {
        var byPartition = consumed.GroupBy(d => d.Partition).ToDictionary(g => g.Key, g => g.ToList());
        var skipped = new List<string>();
        foreach (var (partition, messages) in log)
        {
            var got = byPartition.GetValueOrDefault(partition) ?? [];
            var duplicates = got.GroupBy(d => d.Offset).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(duplicates.Count == 0, $"partition {partition}: offsets consumed twice: {string.Join(", ", duplicates.Take(10))}");
            Assert.True(got.Select(d => d.Offset).SequenceEqual(got.Select(d => d.Offset).Order()), $"partition {partition}: consumed out of offset order");
            var stored = messages.ToDictionary(m => m.Offset);
            Assert.All(got, d => Assert.Equal(stored.GetValueOrDefault(d.Offset), d));
            skipped.AddRange(messages.Select(m => m.Offset).Except(got.Select(d => d.Offset)).Select(o => $"{partition}:{o}"));
        }
        Assert.Empty(byPartition.Keys.Except(log.Keys));
        output.WriteLine($"consumer: {skipped.Count} offsets skipped ({string.Join(", ", skipped.Take(10))}), {unansweredConsumes} consumes unanswered");
        Assert.True(skipped.Count <= unansweredConsumes,
            $"{skipped.Count} offsets were never consumed ({string.Join(", ", skipped.Take(10))}) but only {unansweredConsumes} consumes went unanswered");
    }

    /// <summary>
    /// The checks every spec with <see cref="Traffic"/> ends with: no unexpected answer, the stored
    /// log dense and unique, every acknowledgement (the traffic's and <paramref name="otherAcks"/>)
    /// stored, and the traffic's consumer saw the log exactly once — or, when a broker crashed
    /// (<paramref name="brokerCrashed"/>), in order, none twice, skipping only unanswered consumes.
    /// </summary>
    public static async Task AssertTrafficStoredAsync(
        TestCluster cluster, string topic, Traffic traffic, IEnumerable<Delivery> otherAcks, bool brokerCrashed, ITestOutputHelper output)
    {
        Assert.Empty(traffic.Unexpected);
        var log = await ReadAsync(cluster, topic);
        AssertDenseAndUnique(log, topic, output);
        AssertAckedStored(traffic.Acked.Concat(otherAcks), log);
        if (brokerCrashed)
        {
            AssertConsumedInOrderAtMostOnce(traffic.Consumed, log, traffic.UnansweredConsumes, output);
        }
        else
        {
            AssertConsumedExactlyOnce(traffic.Consumed, log);
        }
    }
}
