using Akka.Actor;
using Akka.Persistence;
using Queue.Core.Configuration;
using Queue.Core.Edge;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Node.Partitions;
using Queue.Node.Tests.Support;
using Xunit.Abstractions;

namespace Queue.Node.Tests.Partitions;

/// <summary>The partition's contract on a healthy journal (in-memory SQLite through Akka.Persistence.Sql).</summary>
public sealed class PartitionActorSpecs(ITestOutputHelper output) : PartitionSpecBase(TestJournal.Memory(), output)
{
    [Fact]
    public void Offsets_are_dense_in_send_order_and_replies_come_in_order()
    {
        var partition = StartPartition();
        var probe = CreateTestProbe();
        var sizes = Enumerable.Range(0, 60).Select(i => 1 + i % 3).ToList();
        for (var i = 0; i < sizes.Count; i++)
        {
            partition.Tell(Envelope(Append(Enumerable.Range(0, sizes[i]).Select(j => $"m{i}-{j}").ToArray())), probe.Ref);
        }

        var expectedFirst = 0L;
        foreach (var size in sizes)
        {
            var reply = probe.ExpectMsg<MessagesAppended>(Long);
            Assert.Equal(AppendStatus.Appended, reply.Status);
            Assert.Equal(expectedFirst, reply.FirstOffset);
            Assert.Equal(size, reply.Count);
            expectedFirst += size;
        }
        var log = FetchAll(partition, probe);
        Assert.Equal(expectedFirst, log.HighWatermark);
        Assert.Equal(Enumerable.Range(0, (int)expectedFirst).Select(o => (long)o), log.Messages.Select(m => m.Offset));
        var expectedPayloads = sizes.SelectMany((size, i) => Enumerable.Range(0, size).Select(j => $"m{i}-{j}"));
        Assert.Equal(expectedPayloads, log.Messages.Select(m => m.Payload));
    }

    [Fact]
    public async Task Concurrent_appends_share_journal_writes_and_all_are_acknowledged()
    {
        var partition = StartPartition();
        var probes = Enumerable.Range(0, 20).Select(_ => CreateTestProbe()).ToList();
        const int PerProbe = 10;
        for (var round = 0; round < PerProbe; round++)
        {
            foreach (var (probe, index) in probes.Select((p, i) => (p, i)))
            {
                partition.Tell(Envelope(Append($"p{index}-{round}")), probe.Ref);
            }
        }

        var offsets = new List<long>();
        foreach (var probe in probes)
        {
            var mine = Enumerable.Range(0, PerProbe).Select(_ => probe.ExpectMsg<MessagesAppended>(Long).FirstOffset).ToList();
            // Each sender's appends land in the order it sent them.
            Assert.Equal(mine.Order(), mine);
            offsets.AddRange(mine);
        }
        Assert.Equal(Enumerable.Range(0, probes.Count * PerProbe).Select(o => (long)o), offsets.Order());

        var events = await TestJournal.EventsAsync(Sys, PartitionActor.PersistenceIdOf(Id));
        var batches = events.Cast<PartitionBatchCommitted>().ToList();
        Output?.WriteLine($"{probes.Count * PerProbe} appends were written as {batches.Count} journal events");
        Assert.True(batches.Count < probes.Count * PerProbe, $"{batches.Count} events for {probes.Count * PerProbe} requests: no group commit");
        Assert.Equal(probes.Count * PerProbe, batches.Sum(b => b.Messages.Count));
    }

    [Fact]
    public async Task After_a_crash_it_recovers_from_snapshot_and_tail_and_reads_old_offsets_from_the_journal()
    {
        var settings = new PartitionSettings { SnapshotEvery = 5, TailCacheMessages = 4, ReadPageSize = 7 };
        var partition = StartPartition(settings);
        var probe = CreateTestProbe();
        const long Producer = 7;
        const long Reader = 100;
        // One request at a time: each is its own journal event, so there are several snapshots
        // and a tail of events after the last one.
        for (var batch = 1; batch <= 23; batch++)
        {
            partition.Tell(Envelope(Append(new ProducerSequence(Producer, batch), $"b{batch}-0", $"b{batch}-1", $"b{batch}-2")), probe.Ref);
            var appended = probe.ExpectMsg<MessagesAppended>(Long);
            Assert.Equal((batch - 1) * 3L, appended.FirstOffset);
        }
        partition.Tell(Envelope(new CommitPosition(Reader, 40)), probe.Ref);
        Assert.True(probe.ExpectMsg<PositionCommitted>(Long).Accepted);

        StopHard(partition, probe);
        // Recovery must start from a snapshot with a tail after it, or this spec tests replay only.
        var snapshots = Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);
        var loaded = await snapshots.Ask<LoadSnapshotResult>(
            new LoadSnapshot(PartitionActor.PersistenceIdOf(Id), SnapshotSelectionCriteria.Latest, long.MaxValue), Long);
        Assert.NotNull(loaded.Snapshot);
        Assert.InRange(loaded.Snapshot.Metadata.SequenceNr, 5, 23);
        var again = StartPartition(settings);

        again.Tell(Envelope(new GetBacklog(Reader, StartFrom.Earliest)), probe.Ref);
        var backlog = probe.ExpectMsg<BacklogReported>(Long);
        Assert.Equal(69, backlog.HighWatermark);
        Assert.Equal(40, backlog.Position);

        // The producer's last batch is remembered (it was in a snapshot or a replayed event):
        // a retry is a duplicate with the original offsets, an older one is stale.
        again.Tell(Envelope(Append(new ProducerSequence(Producer, 23), "retry")), probe.Ref);
        var duplicate = probe.ExpectMsg<MessagesAppended>(Long);
        Assert.Equal(AppendStatus.Duplicate, duplicate.Status);
        Assert.Equal(66, duplicate.FirstOffset);
        Assert.Equal(3, duplicate.Count);
        again.Tell(Envelope(Append(new ProducerSequence(Producer, 5), "stale")), probe.Ref);
        Assert.Equal(AppendStatus.StaleSequence, probe.ExpectMsg<MessagesAppended>(Long).Status);

        // Offsets far older than the 4-message tail come back from the journal, by fetch and by consume.
        var log = FetchAll(again, probe);
        Assert.Equal(69, log.Messages.Count);
        Assert.Equal(Enumerable.Range(0, 69).Select(o => (long)o), log.Messages.Select(m => m.Offset));
        Assert.Equal(Enumerable.Range(1, 23).SelectMany(b => new[] { $"b{b}-0", $"b{b}-1", $"b{b}-2" }), log.Messages.Select(m => m.Payload));
        for (var offset = 40; offset < 69; offset++)
        {
            again.Tell(Envelope(new ConsumeNext(Reader, StartFrom.Earliest, Guid.NewGuid())), probe.Ref);
            var consumed = probe.ExpectMsg<NextConsumed>(Long);
            Assert.Equal(offset, consumed.Message?.Offset);
            Assert.Equal(log.Messages[offset].Payload, consumed.Message?.Payload);
        }
        again.Tell(Envelope(new ConsumeNext(Reader, StartFrom.Earliest, Guid.NewGuid())), probe.Ref);
        Assert.Null(probe.ExpectMsg<NextConsumed>(Long).Message);
    }

    [Fact]
    public void A_flooded_partition_refuses_with_overloaded_and_answers_every_request()
    {
        var partition = StartPartition(new PartitionSettings { MailboxCapacity = 5 });
        var probe = CreateTestProbe();
        const int Requests = 1_000;
        for (var i = 0; i < Requests; i++)
        {
            partition.Tell(Envelope(Append($"m{i}")), probe.Ref);
        }

        var answers = probe.ReceiveN(Requests, Long);
        var overloaded = answers.OfType<RequestFailed>().ToList();
        var appended = answers.OfType<MessagesAppended>().ToList();
        Output?.WriteLine($"{appended.Count} appended, {overloaded.Count} refused as overloaded");
        Assert.Equal(Requests, overloaded.Count + appended.Count);
        Assert.All(overloaded, f => Assert.Equal(QueueErrorKind.Overloaded, f.Kind));
        Assert.NotEmpty(overloaded);
        Assert.NotEmpty(appended);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        // What was acknowledged is exactly what the log holds; what was refused is not in it.
        var log = FetchAll(partition, probe);
        Assert.Equal(appended.Select(a => a.FirstOffset).Order(), log.Messages.Select(m => m.Offset));
        Assert.Equal(appended.Count, log.HighWatermark);
    }

    [Fact]
    public void A_retried_sequence_after_a_restart_is_a_duplicate_with_the_original_offsets()
    {
        var partition = StartPartition();
        var probe = CreateTestProbe();
        AppendOk(partition, probe, "before");
        partition.Tell(Envelope(Append(new ProducerSequence(42, 1), "a", "b")), probe.Ref);
        var original = probe.ExpectMsg<MessagesAppended>(Long);
        Assert.Equal(AppendStatus.Appended, original.Status);

        StopHard(partition, probe);
        var again = StartPartition();
        again.Tell(Envelope(Append(new ProducerSequence(42, 1), "a", "b")), probe.Ref);
        var retried = probe.ExpectMsg<MessagesAppended>(Long);

        Assert.Equal(AppendStatus.Duplicate, retried.Status);
        Assert.Equal(original.FirstOffset, retried.FirstOffset);
        Assert.Equal(original.Count, retried.Count);
        Assert.Equal(["before", "a", "b"], FetchAll(again, probe).Messages.Select(m => m.Payload));
        // The next sequence appends normally after the duplicate.
        again.Tell(Envelope(Append(new ProducerSequence(42, 2), "c")), probe.Ref);
        Assert.Equal(new MessagesAppended(3, 1), probe.ExpectMsg<MessagesAppended>(Long));
    }

    [Fact]
    public void A_consume_past_its_deadline_is_not_applied()
    {
        var partition = StartPartition();
        var probe = CreateTestProbe();
        AppendOk(partition, probe, "first", "second");
        const long Consumer = 9;

        partition.Tell(Envelope(new ConsumeNext(Consumer, StartFrom.Earliest, Guid.NewGuid()), DateTime.UtcNow.Ticks - 1), probe.Ref);
        // The caller has gone: no answer, and no position moved.
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        partition.Tell(Envelope(new ConsumeNext(Consumer, StartFrom.Earliest, Guid.NewGuid()), DateTime.UtcNow.AddMinutes(1).Ticks), probe.Ref);
        Assert.Equal("first", probe.ExpectMsg<NextConsumed>(Long).Message?.Payload);
    }

    [Fact]
    public void A_returned_delivery_is_delivered_again()
    {
        var partition = StartPartition();
        var probe = CreateTestProbe();
        AppendOk(partition, probe, "first", "second");
        const long Consumer = 9;

        var lost = Guid.NewGuid();
        partition.Tell(Envelope(new ConsumeNext(Consumer, StartFrom.Earliest, lost)), probe.Ref);
        Assert.Equal(0, probe.ExpectMsg<NextConsumed>(Long).Message?.Offset);
        // The edge timed out waiting for that answer and hands it back (told, never asked).
        partition.Tell(Envelope(new ReturnDelivery(Consumer, lost)), ActorRefs.NoSender);
        // A hand-back naming another request changes nothing.
        partition.Tell(Envelope(new ReturnDelivery(Consumer, Guid.NewGuid())), ActorRefs.NoSender);

        partition.Tell(Envelope(new ConsumeNext(Consumer, StartFrom.Earliest, Guid.NewGuid())), probe.Ref);
        Assert.Equal(0, probe.ExpectMsg<NextConsumed>(Long).Message?.Offset);
        partition.Tell(Envelope(new ConsumeNext(Consumer, StartFrom.Earliest, Guid.NewGuid())), probe.Ref);
        Assert.Equal(1, probe.ExpectMsg<NextConsumed>(Long).Message?.Offset);
    }
}
