using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// What the cluster stored, read straight from PostgreSQL (the journal is the truth), and the
/// checks every failure spec makes against it: dense offsets, no message twice, every
/// acknowledged message at the offset its acknowledgement named, and a consumer that saw each
/// partition's log in order, each offset once.
/// </summary>
public static class Journal
{
    public static async Task<Dictionary<int, List<Delivery>>> ReadAsync(TestCluster cluster, string topic)
    {
        var rows = await cluster.QueryAsync(
            $"SELECT partition, msg_offset, payload FROM messages WHERE topic = '{topic}' ORDER BY partition, msg_offset");
        return rows.Select(r => new Delivery((int)r[0], (long)r[1], (string)r[2]))
            .GroupBy(d => d.Partition)
            .ToDictionary(g => g.Key, g => g.ToList());
    }

    /// <summary>Offsets dense from 0 in every partition (count = max + 1), and no message text stored twice.</summary>
    public static async Task AssertDenseAndUniqueAsync(TestCluster cluster, string topic, ITestOutputHelper output)
    {
        var rows = await cluster.QueryAsync(
            $"SELECT partition, count(*), max(msg_offset), count(DISTINCT payload) FROM messages WHERE topic = '{topic}' GROUP BY partition ORDER BY partition");
        foreach (var row in rows)
        {
            var (partition, count, max, distinct) = ((int)row[0], (long)row[1], (long)row[2], (long)row[3]);
            Assert.True(count == max + 1, $"partition {partition}: {count} messages but highest offset {max}: a gap or a duplicate offset");
            Assert.True(distinct == count, $"partition {partition}: {count - distinct} message texts stored twice");
        }
        var duplicatesAcross = await cluster.QueryAsync(
            $"SELECT payload, count(*) FROM messages WHERE topic = '{topic}' GROUP BY payload HAVING count(*) > 1 LIMIT 5");
        Assert.True(duplicatesAcross.Count == 0, "messages stored twice: " + string.Join(", ", duplicatesAcross.Select(r => r[0])));
        output.WriteLine($"journal of {topic}: {rows.Sum(r => (long)r[1])} messages in {rows.Count} partitions, offsets dense, no duplicates");
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
}
