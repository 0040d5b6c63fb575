using Queue.Core.Configuration;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Testing;

namespace Queue.Node.Tests.Persistence;

/// <summary>Groups respect max-batch-rows and max-batch-bytes, and a write over the bounds still commits whole.</summary>
[Collection(PostgresCollection.Name)]
public sealed class GroupCommitBoundsTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Theory]
    [InlineData(4, 1024L * 1024)]  // rows: 3 rows per write, so one write per group
    [InlineData(5000, 1024L)]      // bytes: 600 bytes per write, so one write per group
    public async Task Writes_beyond_a_bound_go_in_separate_groups_and_an_oversized_write_still_commits_whole(int maxRows, long maxBytes)
    {
        var settings = new JournalSettings { Postgres = database.ConnectionString, MaxBatchRows = maxRows, MaxBatchBytes = maxBytes };
        await using var harness = await PostgresJournalHarness.StartAsync(database.ConnectionString, settings);
        var journal = harness.Journal;
        var partitions = Enumerable.Range(0, 6).Select(_ => new PartitionId("bounds-" + Guid.NewGuid().ToString("N")[..8], 0)).ToList();
        var epochs = new List<long>();
        foreach (var partition in partitions)
        {
            epochs.Add((await journal.RecoverAsync(partition, null, 10, CancellationToken.None)).Epoch);
        }
        var before = journal.Commits;

        await Task.WhenAll(partitions.Select((p, i) => journal.WriteAsync(p, epochs[i], Write(first: 0, count: 3, payloadChars: 200), CancellationToken.None)));

        Assert.True(journal.Commits - before >= partitions.Count, $"{partitions.Count} writes over the bound shared {journal.Commits - before} commits");
        var oversized = Write(first: 3, count: 20, payloadChars: 1000);
        await journal.WriteAsync(partitions[0], epochs[0], oversized, CancellationToken.None);
        Assert.Equal(23, (await journal.RecoverAsync(partitions[0], null, 100, CancellationToken.None)).HighWatermark);
    }

    private static PartitionWrite Write(long first, int count, int payloadChars) =>
        new(Enumerable.Range(0, count).Select(i => new StoredMessage(first + i, new string('x', payloadChars), 1, DateTimeOffset.UtcNow)).ToList(), []);
}
