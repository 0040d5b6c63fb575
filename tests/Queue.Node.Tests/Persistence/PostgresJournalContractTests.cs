using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Testing;

namespace Queue.Node.Tests.Persistence;

[Collection(PostgresCollection.Name)]
public sealed class PostgresJournalContractTests(PostgresDatabase database) : JournalContractTests, IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private PostgresJournalHarness? _harness;

    protected override IPartitionJournal Journal => _harness!.Journal;

    protected override IMetadataJournal Catalog => _harness!.Catalog;

    public async Task InitializeAsync() => _harness = await PostgresJournalHarness.StartAsync(database.ConnectionString);

    public async Task DisposeAsync() => await _harness!.DisposeAsync();

    [Fact]
    public async Task One_fenced_write_fails_alone_while_the_rest_of_its_group_commits()
    {
        var partitions = Enumerable.Range(0, 20).Select(_ => NewPartition()).ToList();
        var epochs = new List<long>();
        foreach (var partition in partitions)
        {
            epochs.Add((await Journal.RecoverAsync(partition, null, 10, CancellationToken.None)).Epoch);
        }
        // Partition 7 gets a new owner: its old owner's write must fail, nobody else's.
        await Journal.RecoverAsync(partitions[7], null, 10, CancellationToken.None);

        var writes = partitions.Select((p, i) => Journal.WriteAsync(p, epochs[i], Write(Messages(0, 5), [new(1, 2)]), CancellationToken.None)).ToList();
        await Assert.ThrowsAsync<JournalFencedException>(() => writes[7]);
        for (var i = 0; i < writes.Count; i++)
        {
            if (i != 7)
            {
                await writes[i];
            }
        }

        for (var i = 0; i < partitions.Count; i++)
        {
            var recovery = await Journal.RecoverAsync(partitions[i], null, 10, CancellationToken.None);
            Assert.Equal(i == 7 ? 0 : 5, recovery.HighWatermark);
            Assert.Equal(i == 7 ? 0 : 1, recovery.Positions.Count);
        }
    }

    [Fact]
    public async Task A_payload_PostgreSQL_cannot_store_fails_its_own_write_only()
    {
        var partition = NewPartition();
        var epoch = (await Journal.RecoverAsync(partition, null, 10, CancellationToken.None)).Epoch;
        var bad = new StoredMessage(0, "nul \0 inside", 1, DateTimeOffset.UtcNow);
        await Assert.ThrowsAsync<ArgumentException>(() => Journal.WriteAsync(partition, epoch, Write([bad], []), CancellationToken.None));
        var lone = new StoredMessage(0, "half \ud800 a pair", 1, DateTimeOffset.UtcNow);
        await Assert.ThrowsAsync<ArgumentException>(() => Journal.WriteAsync(partition, epoch, Write([lone], []), CancellationToken.None));
        await Journal.WriteAsync(partition, epoch, Write(Messages(0, 1), []), CancellationToken.None);
    }

    [Fact]
    public async Task Concurrent_writes_from_many_partitions_share_group_commits()
    {
        const int writers = 200;
        var partitions = Enumerable.Range(0, writers).Select(_ => NewPartition()).ToList();
        var epochs = new long[writers];
        for (var i = 0; i < writers; i++)
        {
            epochs[i] = (await Journal.RecoverAsync(partitions[i], null, 10, CancellationToken.None)).Epoch;
        }
        var before = _harness!.Journal.Commits;
        await Task.WhenAll(partitions.Select((p, i) => Journal.WriteAsync(p, epochs[i], Write(Messages(0, 1), []), CancellationToken.None)));
        var commits = _harness.Journal.Commits - before;
        Assert.True(commits < writers / 2, $"{writers} concurrent writes took {commits} commits");
    }
}
