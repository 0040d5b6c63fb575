using Akka.Actor;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Queue.Core.Edge;
using Queue.Core.Protocol;
using Queue.Node.Partitions;
using Queue.Node.Tests.Support;
using Xunit.Abstractions;

namespace Queue.Node.Tests.Partitions;

/// <summary>
/// The partition when its journal fails: a SQLite file locked by another connection, and a second
/// writer of the same persistence id. Nothing is acknowledged that the journal does not hold.
/// </summary>
public sealed class PartitionJournalFailureSpecs(ITestOutputHelper output)
    : PartitionSpecBase(TestJournal.SqliteFile(writeTimeout: TimeSpan.FromSeconds(1)), output)
{
    [Fact]
    public void A_locked_journal_gets_no_success_and_after_it_clears_nothing_acknowledged_is_missing()
    {
        var partition = StartPartition();
        var probe = CreateTestProbe();
        var acknowledged = new List<string>();
        AppendOk(partition, probe, "before");
        acknowledged.Add("before");

        probe.Watch(partition);
        using (var locker = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Journal.File }.ToString()))
        {
            locker.Open();
            using (var begin = locker.CreateCommand())
            {
                // Another writer holds the file: every journal write waits for it and times out.
                begin.CommandText = "BEGIN EXCLUSIVE";
                begin.ExecuteNonQuery();
            }
            partition.Tell(Envelope(Append("during")), probe.Ref);
            var answer = probe.ExpectMsg<object>(Long);
            Output?.WriteLine($"answer while locked: {answer}");
            var failed = Assert.IsType<RequestFailed>(answer);
            Assert.Equal(QueueErrorKind.Unavailable, failed.Kind);
            // Akka's rule after a failed persist: the incarnation stops (its state may be stale).
            probe.ExpectTerminated(partition, Long);
            using var rollback = locker.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }

        // A fresh incarnation recovers the truth. "during" was answered 503; its write may still
        // have landed once the lock cleared (a timed-out write is ambiguous), so it is allowed,
        // but only after everything acknowledged and with dense offsets.
        var again = StartPartition();
        AwaitAssert(() =>
        {
            again.Tell(Envelope(Append("after")), probe.Ref);
            probe.ExpectMsg<MessagesAppended>(TimeSpan.FromSeconds(5));
        }, Long, TimeSpan.FromMilliseconds(200));
        acknowledged.Add("after");
        var log = FetchAll(again, probe).Messages;
        Output?.WriteLine($"log after the lock cleared: {string.Join(", ", log.Select(m => m.Payload))}");
        Assert.Equal(Enumerable.Range(0, log.Count).Select(o => (long)o), log.Select(m => m.Offset));
        Assert.Equal(acknowledged, log.Select(m => m.Payload).Where(p => p != "during").Distinct());
        Assert.Equal("before", log[0].Payload);
    }

    [Fact]
    public async Task A_second_writer_of_the_same_partition_fails_its_write_and_stops_without_acknowledging()
    {
        // The same database from a second actor system: two incarnations of one partition, as
        // after a split brain or a hand-off that did not wait.
        var second = ActorSystem.Create("second", Journal.Config.WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING")));
        try
        {
            var first = StartPartition();
            var probe = CreateTestProbe();
            AppendOk(first, probe, "one");

            var intruder = StartPartition(system: second);
            var intruderProbe = CreateTestProbe(second);
            intruderProbe.Watch(intruder);
            // A read: recovery is done (journal sequence 1) and nothing is written.
            intruder.Tell(Envelope(new GetBacklog(1, Queue.Core.Log.StartFrom.Earliest)), intruderProbe.Ref);
            Assert.Equal(1, intruderProbe.ExpectMsg<BacklogReported>(Long).HighWatermark);

            // The first writer moves on to journal sequence 2...
            AppendOk(first, probe, "two");
            // ...which the intruder also tries to write: the journal's unique key refuses it.
            intruder.Tell(Envelope(Append("intruder")), intruderProbe.Ref);
            var answer = intruderProbe.ExpectMsg<object>(Long);
            Output?.WriteLine($"intruder's answer: {answer}");
            Assert.Equal(QueueErrorKind.Unavailable, Assert.IsType<RequestFailed>(answer).Kind);
            intruderProbe.ExpectTerminated(intruder, Long);

            var events = await TestJournal.EventsAsync(Sys, PartitionActor.PersistenceIdOf(Id));
            Assert.Equal(["one", "two"], events.Cast<PartitionBatchCommitted>().SelectMany(b => b.Messages).Select(m => m.Payload));
            // The first writer is unharmed.
            Assert.Equal(2, AppendOk(first, probe, "three").FirstOffset);
        }
        finally
        {
            await second.Terminate();
        }
    }
}
