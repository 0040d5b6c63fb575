using System.Net;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// A frozen broker (SIGSTOP: a long GC pause or a stalled VM, as seen from outside) is declared
/// down and its shards move on under new fencing epochs. Requests that reached it while it was
/// frozen are carried out only after it wakes up, still believing it owns the partitions: those
/// late appends must not land under the old epoch. Each one either fails or is acknowledged by
/// the current owner, and then it is in the log exactly once at a dense offset.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class FrozenBrokerSpec(ITestOutputHelper output)
{
    private const string Topic = "frozen";
    private const int Partitions = 6;
    // Late requests per moved partition. After SIGCONT the woken broker races its first
    // heartbeat (which brings the new table) against these; several per partition make it likely
    // that some reach the stale partition actor and meet the journal's fence.
    private const int LatePerPartition = 10;

    [Fact]
    public async Task A_frozen_broker_whose_shards_moved_cannot_append_and_nothing_is_duplicated()
    {
        await using var cluster = await TestCluster.CreateAsync(output);
        var (edge, probe) = await cluster.StartServingTopicAsync(Topic, Partitions);
        await probe.UntilAllServeAsync(Enumerable.Range(0, Partitions), TimeSpan.FromSeconds(60), "every partition serves twice");

        var manager = (await Admin.GetClusterAsync(edge)).ManagerId;
        var owners = await Admin.GetPartitionsAsync(edge);
        var victim = cluster[owners.PartitionsPerOwner.Where(kv => kv.Key != manager).OrderByDescending(kv => kv.Value).First().Key];
        var victimPartitions = owners.Owners.Where(kv => kv.Value.Owner == victim.NodeId).Select(kv => kv.Key.Partition).ToList();
        var epochsBefore = await EpochsAsync(cluster, victimPartitions);
        var lateProducer = await victim.Http.RegisterProducerAsync(Topic);

        await victim.Process.FreezeAsync();
        using var patient = new HttpClient { BaseAddress = victim.Process.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        try
        {
            // Sent to the frozen broker's own port: the kernel accepts the connections, the
            // process reads them only after SIGCONT.
            var late = victimPartitions
                .SelectMany(p => Enumerable.Range(0, LatePerPartition).Select(i => (Partition: p, Message: $"late-{p}-{i}")))
                .Select(l => (l.Partition, l.Message, Reply: patient.ProduceAsync(Topic, lateProducer, l.Message, l.Partition)))
                .ToList();

            await Eventually.True(async () =>
            {
                var map = await Admin.GetPartitionsAsync(edge);
                return victimPartitions.All(p => map.Owners[(Topic, p)].Owner is { } o && o != victim.NodeId);
            }, TimeSpan.FromSeconds(30), $"the partitions of frozen {victim.NodeId} have moved");
            var epochsMoved = await EpochsAsync(cluster, victimPartitions);
            Assert.All(victimPartitions, p => Assert.True(epochsMoved[p] > epochsBefore[p], $"partition {p}'s epoch did not move ({epochsBefore[p]} -> {epochsMoved[p]})"));
            // The new owners write before the frozen one wakes up.
            await probe.UntilAllServeAsync(victimPartitions, TimeSpan.FromSeconds(30), "the moved partitions serve on their new owners");
            Assert.All(late, l => Assert.False(l.Reply.IsCompleted, "a request to the frozen broker was answered while it was frozen"));

            await victim.Process.ResumeAsync();
            var outcomes = new List<string>();
            var log = await Journal.ReadAsync(cluster, Topic);
            foreach (var (partition, message, reply) in late)
            {
                HttpStatusCode status;
                System.Text.Json.JsonElement body;
                try
                {
                    (status, body) = await reply;
                }
                catch (HttpRequestException ex)
                {
                    outcomes.Add($"connection failed ({ex.Message})");
                    continue;
                }
                outcomes.Add(status == HttpStatusCode.OK ? "200" : $"{(int)status} {body.GetProperty("message")}");
                if (status == HttpStatusCode.OK)
                {
                    log = await Journal.ReadAsync(cluster, Topic);
                    Journal.AssertAckedStored([new Delivery(body.GetProperty("partition").GetInt32(), body.GetProperty("offset").GetInt64(), message)], log);
                }
                else
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
                }
            }
            output.WriteLine($"froze {victim.NodeId} (partitions {string.Join(",", victimPartitions)}); epochs " +
                string.Join(", ", victimPartitions.Select(p => $"p{p} {epochsBefore[p]}->{epochsMoved[p]}")));
            output.WriteLine($"{late.Count} late requests to the frozen broker, after SIGCONT: " +
                string.Join("; ", outcomes.GroupBy(o => o).Select(g => $"{g.Count()} x {g.Key}")));
            // Which way the race went (the outcome must be right either way): did a late append
            // reach the stale actor and get fenced by the journal, or had the new table arrived first?
            var fenced = victim.Process.Output.Split('\n').Count(l => l.Contains("JournalFencedException", StringComparison.Ordinal));
            output.WriteLine($"the woken broker's log shows {fenced} fenced journal operations");
        }
        finally
        {
            // Never leave a stopped process behind (a failed assertion above would).
            if (!victim.Process.HasExited)
            {
                await victim.Process.ResumeAsync();
            }
        }

        // Whatever the woken broker did afterwards: offsets dense, no message twice, and every
        // acknowledged message where its acknowledgement said.
        await cluster.WaitUntilFormedAsync(TimeSpan.FromSeconds(60));
        await probe.UntilAllServeAsync(Enumerable.Range(0, Partitions), TimeSpan.FromSeconds(60), "every partition serves once the broker is back");
        await Journal.AssertDenseAndUniqueAsync(cluster, Topic, output);
        Journal.AssertAckedStored(probe.Acked, await Journal.ReadAsync(cluster, Topic));
    }

    private static async Task<Dictionary<int, long>> EpochsAsync(TestCluster cluster, IEnumerable<int> partitions)
    {
        var wanted = partitions.ToHashSet();
        return (await cluster.QueryAsync($"SELECT partition, epoch FROM partitions WHERE topic = '{Topic}'"))
            .Where(r => wanted.Contains((int)r[0]))
            .ToDictionary(r => (int)r[0], r => (long)r[1]);
    }
}
