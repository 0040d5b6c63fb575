using Akka.Actor;
using Akka.TestKit;
using Npgsql;
using Queue.Core.Configuration;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Node.Partitions;
using Queue.Node.Tests.Persistence;
using Queue.Node.Tests.Support;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.Node.Tests.Partitions;

/// <summary>
/// Retention on a real PostgreSQL journal: the log start moves, the journal's rows for the
/// partition are really deleted, the space comes back after VACUUM FULL, and a restart recovers
/// the log start and the high-water mark. Nothing here measures time; every wait is for a condition.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RetentionSpecs : PartitionSpecBase, IClassFixture<PostgresDatabase>
{
    private const string JournalTable = "event_journal";
    private readonly PostgresDatabase _database;

    // Checks often, deletes in small steps (so the deletion is several bounded steps, as in production).
    private static readonly RetentionSettings Retention = new() { CheckInterval = TimeSpan.FromMilliseconds(200), DeleteBatchEvents = 20 };

    public RetentionSpecs(PostgresDatabase database, ITestOutputHelper output) : base(TestJournal.Postgres(database.ConnectionString), output)
    {
        _database = database;
    }

    private IActorRef StartRetainedPartition(PartitionId id, IActorRef? catalogue = null) =>
        Sys.ActorOf(PartitionActor.Props(id, new PartitionSettings(), 32L * 1024 * 1024, Retention, catalogue));

    private static PartitionEnvelope EnvelopeFor(PartitionId id, IQueueMessage request) => new(id.Topic, id.Partition, request, 0);

    private static MessagesFetched Fetch(IActorRef partition, PartitionId id, TestProbe probe, long offset, int max)
    {
        partition.Tell(EnvelopeFor(id, new FetchMessages(offset, max)), probe.Ref);
        return probe.ExpectMsg<MessagesFetched>(Long);
    }

    private static void Produce(IActorRef partition, PartitionId id, TestProbe probe, int batches, int perBatch, long firstOffset)
    {
        for (var b = 0; b < batches; b++)
        {
            // One at a time, so each batch is one journal event (a row) and the count is known. The
            // payloads are random, so PostgreSQL's compression cannot hide what they take.
            partition.Tell(EnvelopeFor(id, new AppendMessages([.. Enumerable.Range(0, perBatch).Select(i => new ProduceItem($"message {b}-{i} {Guid.NewGuid()}{Guid.NewGuid()}{Guid.NewGuid()}", 1))])), probe.Ref);
            Assert.Equal(firstOffset + (long)b * perBatch, probe.ExpectMsg<MessagesAppended>(Long).FirstOffset);
        }
    }

    private async Task<(long Live, long Total)> RowsAsync(PartitionId id)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT count(*) FILTER (WHERE NOT is_deleted), count(*) FROM {JournalTable} WHERE persistence_id = @id", connection);
        command.Parameters.AddWithValue("id", PartitionActor.PersistenceIdOf(id));
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private async Task<long> JournalBytesAfterVacuumFullAsync()
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        // VACUUM FULL rewrites the table: the only way PostgreSQL hands deleted rows' space back
        // to the file system (a plain VACUUM makes it reusable by the table, not smaller).
        await using (var vacuum = new NpgsqlCommand($"VACUUM FULL {JournalTable}", connection) { CommandTimeout = 120 })
        {
            await vacuum.ExecuteNonQueryAsync();
        }
        await using var size = new NpgsqlCommand($"SELECT pg_total_relation_size('{JournalTable}')", connection);
        return (long)(await size.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Retention_messages_deletes_journal_rows_and_a_restart_recovers_log_start_and_high_water_mark()
    {
        var id = new PartitionId("retained-count", 0);
        const int Batches = 100, PerBatch = 50, Total = Batches * PerBatch, Keep = Total / 10;
        var probe = CreateTestProbe();
        var partition = StartRetainedPartition(id);
        // A consumer that starts at the beginning and never reads: it falls behind the log start.
        partition.Tell(EnvelopeFor(id, new PinConsumer(1, StartFrom.Earliest)), probe.Ref);
        Assert.Equal(0, probe.ExpectMsg<ConsumerPinned>(Long).Position);
        Produce(partition, id, probe, Batches, PerBatch, 0);

        var before = await RowsAsync(id);
        var bytesBefore = await JournalBytesAfterVacuumFullAsync();
        Output?.WriteLine($"before retention: {before.Live} journal rows for the partition, {bytesBefore} bytes in {JournalTable} (after VACUUM FULL)");
        // One event per batch, and one for the pinned position.
        Assert.Equal(Batches + 1, before.Live);

        partition.Tell(EnvelopeFor(id, new ApplyRetention(new RetentionPolicy(0, Keep, 1))), probe.Ref);
        probe.ExpectMsg<RetentionApplied>(Long);

        await Eventually.True(() => Fetch(partition, id, probe, 0, 1).LogStart == Total - Keep, Long, $"the log start reaches {Total - Keep}");
        // The offset index has an entry every 1,000 offsets: the journal is cut at the last one at or
        // below the log start (offset 4,000, event 82), so events 1..81 go and 20 stay.
        await Eventually.True(async () => (await RowsAsync(id)).Live == 20, TimeSpan.FromSeconds(60), "the events wholly below the log start are deleted");
        var after = await RowsAsync(id);
        var bytesAfter = await JournalBytesAfterVacuumFullAsync();
        Output?.WriteLine($"after retention: {after.Live} live rows ({after.Total} with the highest deleted one Akka.Persistence.Sql keeps), {bytesAfter} bytes (after VACUUM FULL)");
        Assert.True(after.Total <= after.Live + 1, $"{after.Total} rows, {after.Live} live: deleted rows stayed behind");
        Assert.True(bytesAfter < bytesBefore / 2, $"{bytesAfter} bytes after, {bytesBefore} before");

        // Readers behind the log start continue at it.
        var fetched = Fetch(partition, id, probe, 0, 10);
        Assert.Equal(Total - Keep, fetched.Messages[0].Offset);
        partition.Tell(EnvelopeFor(id, new GetBacklog(1, StartFrom.Earliest)), probe.Ref);
        var backlog = probe.ExpectMsg<BacklogReported>(Long);
        Assert.Equal((Total - Keep, (long)Keep), (backlog.Position, backlog.Size));
        partition.Tell(EnvelopeFor(id, new ConsumeNext(1, StartFrom.Earliest, Guid.NewGuid())), probe.Ref);
        Assert.Equal(Total - Keep, probe.ExpectMsg<NextConsumed>(Long).Message!.Offset);

        // A crash after the deletion: the snapshot gives the log start and the high-water mark,
        // and the oldest retained messages are read from what is left of the journal.
        StopHard(partition, probe);
        var again = Sys.ActorOf(PartitionActor.Props(id, new PartitionSettings(), 32L * 1024 * 1024));
        var recovered = Fetch(again, id, probe, 0, 10);
        Assert.Equal((Total - Keep, (long)Total), (recovered.LogStart, recovered.HighWatermark));
        Assert.Equal(Enumerable.Range(Total - Keep, 10).Select(o => (long)o), recovered.Messages.Select(m => m.Offset));
        again.Tell(EnvelopeFor(id, new GetBacklog(1, StartFrom.Earliest)), probe.Ref);
        Assert.Equal(Total - Keep + 1, probe.ExpectMsg<BacklogReported>(Long).Position);

        // Sequence numbers continue after the deleted ones: a write and one more restart.
        again.Tell(EnvelopeFor(id, new AppendMessages([new ProduceItem("after the restart", 1)])), probe.Ref);
        Assert.Equal(Total, probe.ExpectMsg<MessagesAppended>(Long).FirstOffset);
        StopHard(again, probe);
        var third = Sys.ActorOf(PartitionActor.Props(id, new PartitionSettings(), 32L * 1024 * 1024));
        var last = Fetch(third, id, probe, Total, 10);
        Assert.Equal((Total - Keep, Total + 1L, "after the restart"), (last.LogStart, last.HighWatermark, last.Messages.Single().Payload));
    }

    [Fact]
    public async Task Retention_ms_from_the_catalogue_lets_messages_expire_and_deletes_them()
    {
        var id = new PartitionId("retained-time", 0);
        var catalogue = CreateTestProbe();
        var probe = CreateTestProbe();
        var partition = StartRetainedPartition(id, catalogue.Ref);
        // A partition asks the catalogue for its topic's policy when it starts.
        Assert.Equal(id.Topic, catalogue.ExpectMsg<GetTopic>(Long).Name);
        catalogue.Reply(new TopicLookup(new TopicInfo(id.Topic, 1, new RetentionPolicy(1000, 0, 1))));

        Produce(partition, id, probe, 30, 10, 0);
        await Eventually.True(() => Fetch(partition, id, probe, 0, 1).LogStart == 300, Long, "every message is older than 1 s and let go of");
        await Eventually.True(async () => (await RowsAsync(id)).Live == 0, Long, "every event is deleted");
        var expired = Fetch(partition, id, probe, 0, 10);
        Assert.Empty(expired.Messages);
        Assert.Equal((300L, 300L), (expired.LogStart, expired.HighWatermark));

        // New messages are readable until they expire in turn.
        Produce(partition, id, probe, 1, 5, 300);
        var fresh = Fetch(partition, id, probe, 0, 10);
        Assert.True(fresh.Messages.Count == 0 || fresh.Messages[0].Offset == 300, "a reader from offset 0 continues at the log start");
        await Eventually.True(() => Fetch(partition, id, probe, 0, 1).LogStart == 305, Long, "the new messages expire too");

        // A newer policy from the edge (a PATCH) wins; an older one answered late does not undo it.
        partition.Tell(EnvelopeFor(id, new ApplyRetention(new RetentionPolicy(0, 0, 3))), probe.Ref);
        probe.ExpectMsg<RetentionApplied>(Long);
        partition.Tell(new TopicLookup(new TopicInfo(id.Topic, 1, new RetentionPolicy(1000, 0, 2))));
        Produce(partition, id, probe, 1, 5, 305);
        // Two checks later (check-interval 200 ms) the keep-everything policy still holds.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(305, Fetch(partition, id, probe, 0, 1).LogStart);
    }
}
