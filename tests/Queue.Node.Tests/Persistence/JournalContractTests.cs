using Queue.Core.Journal;
using Queue.Core.Log;

namespace Queue.Node.Tests.Persistence;

/// <summary>
/// What every journal must do, checked the same way against each implementation: the in-memory
/// one is the reference semantics, the PostgreSQL one must match it.
/// </summary>
public abstract class JournalContractTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    protected abstract IPartitionJournal Journal { get; }

    protected abstract IMetadataJournal Catalog { get; }

    [Fact]
    public async Task A_new_partition_is_empty_and_claimed_at_epoch_one()
    {
        var recovery = await Journal.RecoverAsync(NewPartition(), epoch: null, 100, None);
        Assert.Equal(1, recovery.Epoch);
        Assert.Equal(0, recovery.LogStart);
        Assert.Equal(0, recovery.HighWatermark);
        Assert.Empty(recovery.Positions);
        Assert.Empty(recovery.Tail);
    }

    [Fact]
    public async Task Recovery_returns_the_committed_log_end_positions_and_only_the_newest_messages()
    {
        var partition = NewPartition();
        var epoch = (await Journal.RecoverAsync(partition, null, 10, None)).Epoch;
        await Journal.WriteAsync(partition, epoch, Write(Messages(0, 30), [new(7, 3)]), None);
        await Journal.WriteAsync(partition, epoch, Write(Messages(30, 20), [new(7, 12), new(8, 0)]), None);

        var recovery = await Journal.RecoverAsync(partition, null, 10, None);

        Assert.Equal(epoch + 1, recovery.Epoch);
        Assert.Equal(50, recovery.HighWatermark);
        Assert.Equal(new Dictionary<long, long> { [7] = 12, [8] = 0 }, recovery.Positions);
        AssertSameMessages(Messages(40, 10), recovery.Tail);
    }

    [Fact]
    public async Task Each_producers_last_batch_survives_recovery_and_a_fenced_write_records_none()
    {
        var partition = NewPartition();
        var epoch = (await Journal.RecoverAsync(partition, null, 10, None)).Epoch;
        await Journal.WriteAsync(partition, epoch, Write(Messages(0, 3), []) with { Sequences = [new(11, 1, 0, 3)] }, None);
        await Journal.WriteAsync(partition, epoch, Write(Messages(3, 2), []) with { Sequences = [new(11, 2, 3, 2), new(12, 7, 3, 2)] }, None);

        var recovery = await Journal.RecoverAsync(partition, null, 10, None);
        Assert.Equal([new ProducerBatchRecord(11, 2, 3, 2), new ProducerBatchRecord(12, 7, 3, 2)], recovery.Sequences.OrderBy(s => s.ProducerId));

        // The stale owner's write (old epoch) is refused, and its sequence is not recorded either.
        await Assert.ThrowsAsync<JournalFencedException>(() =>
            Journal.WriteAsync(partition, epoch, Write(Messages(5, 1), []) with { Sequences = [new(11, 3, 5, 1)] }, None));
        var again = await Journal.RecoverAsync(partition, null, 10, None);
        Assert.Contains(new ProducerBatchRecord(11, 2, 3, 2), again.Sequences);
    }

    [Fact]
    public async Task Reads_return_committed_messages_in_pages_by_offset()
    {
        var partition = NewPartition();
        var epoch = (await Journal.RecoverAsync(partition, null, 10, None)).Epoch;
        await Journal.WriteAsync(partition, epoch, Write(Messages(0, 25), []), None);

        AssertSameMessages(Messages(5, 10), await Journal.ReadAsync(partition, 5, 10, None));
        AssertSameMessages(Messages(20, 5), await Journal.ReadAsync(partition, 20, 10, None));
        Assert.Empty(await Journal.ReadAsync(partition, 25, 10, None));
    }

    [Fact]
    public async Task A_write_that_does_not_continue_the_log_is_refused_whole()
    {
        var partition = NewPartition();
        var epoch = (await Journal.RecoverAsync(partition, null, 10, None)).Epoch;
        await Journal.WriteAsync(partition, epoch, Write(Messages(0, 3), []), None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Journal.WriteAsync(partition, epoch, Write(Messages(4, 2), [new(1, 5)]), None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Journal.WriteAsync(partition, epoch, Write(Messages(1, 2), []), None));

        var recovery = await Journal.RecoverAsync(partition, null, 10, None);
        Assert.Equal(3, recovery.HighWatermark);
        Assert.Empty(recovery.Positions);
    }

    [Fact]
    public async Task A_stale_owner_is_fenced_and_writes_nothing()
    {
        var partition = NewPartition();
        var stale = (await Journal.RecoverAsync(partition, null, 10, None)).Epoch;
        var current = (await Journal.RecoverAsync(partition, null, 10, None)).Epoch;
        Assert.True(current > stale);

        var fenced = await Assert.ThrowsAsync<JournalFencedException>(() => Journal.WriteAsync(partition, stale, Write(Messages(0, 2), [new(1, 1)]), None));
        Assert.Equal(stale, fenced.Epoch);
        await Assert.ThrowsAsync<JournalFencedException>(() => Journal.WriteAsync(partition, stale, Write([], [new(1, 1)]), None));

        await Journal.WriteAsync(partition, current, Write(Messages(0, 1), []), None);
        var recovery = await Journal.RecoverAsync(partition, null, 10, None);
        Assert.Equal(1, recovery.HighWatermark);
        Assert.Empty(recovery.Positions);
    }

    [Fact]
    public async Task An_assigned_epoch_is_taken_unless_a_newer_one_is_stored()
    {
        var partition = NewPartition();
        Assert.Equal(10, (await Journal.RecoverAsync(partition, 10, 10, None)).Epoch);
        Assert.Equal(10, (await Journal.RecoverAsync(partition, 10, 10, None)).Epoch);
        await Assert.ThrowsAsync<JournalFencedException>(() => Journal.RecoverAsync(partition, 9, 10, None));
        await Assert.ThrowsAsync<JournalFencedException>(() => Journal.WriteAsync(partition, 9, Write(Messages(0, 1), []), None));
        await Journal.WriteAsync(partition, 10, Write(Messages(0, 1), []), None);
    }

    [Fact]
    public async Task Position_moves_alone_are_durable()
    {
        var partition = NewPartition();
        var epoch = (await Journal.RecoverAsync(partition, null, 10, None)).Epoch;
        await Journal.WriteAsync(partition, epoch, Write([], [new(3, 0), new(4, 0)]), None);
        await Journal.WriteAsync(partition, epoch, Write([], [new(3, 0)]), None);

        var recovery = await Journal.RecoverAsync(partition, null, 10, None);
        Assert.Equal(new Dictionary<long, long> { [3] = 0, [4] = 0 }, recovery.Positions);
        Assert.Equal(0, recovery.HighWatermark);
    }

    [Fact]
    public async Task The_catalogue_keeps_topics_and_hands_out_unique_ids()
    {
        var name = "contract-" + Guid.NewGuid().ToString("N")[..8];
        var (created, isNew) = await Catalog.CreateTopicAsync(name, 3, None);
        Assert.True(isNew);
        Assert.Equal(new TopicInfo(name, 3), created);
        var (again, isNewAgain) = await Catalog.CreateTopicAsync(name, 5, None);
        Assert.False(isNewAgain);
        Assert.Equal(3, again.Partitions);
        Assert.Equal(created, await Catalog.GetTopicAsync(name, None));
        Assert.Null(await Catalog.GetTopicAsync(name + "-missing", None));
        Assert.Contains(created, await Catalog.ListTopicsAsync(None));

        var p1 = await Catalog.RegisterProducerAsync(name, null, None);
        var p2 = await Catalog.RegisterProducerAsync(name, 2, None);
        var c1 = await Catalog.RegisterConsumerAsync(name, 1, StartFrom.Earliest, None);
        Assert.NotEqual(p1.Id, p2.Id);
        Assert.Equal(p2, await Catalog.GetProducerAsync(p2.Id, None));
        Assert.Equal(c1, await Catalog.GetConsumerAsync(c1.Id, None));
        Assert.Null(await Catalog.GetConsumerAsync(-1, None));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Catalog.RegisterProducerAsync(name + "-missing", null, None));
    }

    [Fact]
    public async Task Topics_are_listed_in_ordinal_order()
    {
        var prefix = "order-" + Guid.NewGuid().ToString("N")[..8];
        foreach (var suffix in new[] { "b", "B", "a", "_" })
        {
            await Catalog.CreateTopicAsync(prefix + suffix, 1, None);
        }
        var listed = (await Catalog.ListTopicsAsync(None)).Select(t => t.Name).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(listed.Order(StringComparer.Ordinal).ToList(), listed);
    }

    protected static PartitionId NewPartition() => new("t-" + Guid.NewGuid().ToString("N")[..10], 0);

    protected static PartitionWrite Write(IReadOnlyList<StoredMessage> messages, IReadOnlyList<ConsumerPosition> positions) => new(messages, positions);

    protected static IReadOnlyList<StoredMessage> Messages(long first, int count) =>
        Enumerable.Range(0, count)
            .Select(i => new StoredMessage(first + i, $"message {first + i} \u00e9\u4e2d\U0001F600", 42 + first + i, DateTimeOffset.UnixEpoch.AddSeconds(first + i)))
            .ToList();

    protected static void AssertSameMessages(IReadOnlyList<StoredMessage> expected, IReadOnlyList<StoredMessage> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Offset, actual[i].Offset);
            Assert.Equal(expected[i].Payload, actual[i].Payload);
            Assert.Equal(expected[i].ProducerId, actual[i].ProducerId);
            // PostgreSQL keeps microseconds, .NET ticks are 100 ns.
            Assert.True((expected[i].Timestamp - actual[i].Timestamp).Duration() < TimeSpan.FromMilliseconds(1));
        }
    }
}
