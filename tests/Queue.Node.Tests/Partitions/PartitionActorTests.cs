using Microsoft.Extensions.Logging.Abstractions;
using Queue.Core.Actors;
using Queue.Core.Configuration;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Node.Partitions;
using Queue.Testing;

namespace Queue.Node.Tests.Partitions;

public sealed class PartitionActorTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly PartitionId Partition = new("T", 0);

    /// <summary>Records each write and can hold the first one, so later requests pile up into one batch.</summary>
    private sealed class GatedJournal : IPartitionJournal
    {
        public readonly InMemoryJournal Inner = new();
        public readonly TaskCompletionSource FirstWriteMayFinish = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly List<int> WriteSizes = [];
        private int _writes;

        public Task<PartitionRecovery> RecoverAsync(PartitionId partition, long? epoch, int tailMessages, CancellationToken cancellationToken) =>
            Inner.RecoverAsync(partition, epoch, tailMessages, cancellationToken);

        public async Task WriteAsync(PartitionId partition, long epoch, PartitionWrite write, CancellationToken cancellationToken)
        {
            lock (WriteSizes)
            {
                WriteSizes.Add(write.Messages.Count);
            }
            if (Interlocked.Increment(ref _writes) == 1)
            {
                await FirstWriteMayFinish.Task;
            }
            await Inner.WriteAsync(partition, epoch, write, cancellationToken);
        }

        public Task<IReadOnlyList<StoredMessage>> ReadAsync(PartitionId partition, long fromOffset, int max, CancellationToken cancellationToken) =>
            Inner.ReadAsync(partition, fromOffset, max, cancellationToken);
    }

    private static ActorCell Start(IPartitionJournal journal, long maxWriteBytes) =>
        new("partition/T/0",
            () => new PartitionActor(Partition, journal, new PartitionSettings(), maxWriteBytes, StandaloneOwnership.Instance, TimeProvider.System, NullLogger<PartitionActor>.Instance),
            new ActorCellOptions(), TimeProvider.System, NullLogger.Instance);

    private static AppendMessages Append(string payload) => new([new ProduceItem(payload, 1)]);

    [Fact]
    public async Task Requests_that_queue_up_during_a_write_are_committed_together()
    {
        var journal = new GatedJournal();
        var cell = Start(journal, long.MaxValue);
        var first = cell.AskAsync(Append("first"), Patience);
        await Eventually.True(() => journal.WriteSizes.Count == 1, Patience, "the first write is in progress");
        var rest = Enumerable.Range(0, 50).Select(i => cell.AskAsync(Append($"m{i}"), Patience)).ToList();
        await Eventually.True(() => cell.QueuedCount == 50, Patience, "the other appends are queued");

        journal.FirstWriteMayFinish.SetResult();
        var offsets = (await Task.WhenAll(rest)).Select(r => r.FirstOffset).ToList();

        Assert.Equal(0, (await first).FirstOffset);
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), offsets);
        Assert.Equal([1, 50], journal.WriteSizes);
        await cell.StopAsync();
    }

    [Fact]
    public async Task A_batch_larger_than_one_write_may_carry_is_split_and_stays_dense()
    {
        var journal = new GatedJournal();
        // 100-char payloads count as 300 bytes; a write is cut once it reaches 1,000: after four.
        var cell = Start(journal, maxWriteBytes: 1000);
        var first = cell.AskAsync(Append("first"), Patience);
        await Eventually.True(() => journal.WriteSizes.Count == 1, Patience, "the first write is in progress");
        var rest = Enumerable.Range(0, 10).Select(i => cell.AskAsync(Append(new string((char)('a' + i), 100)), Patience)).ToList();
        await Eventually.True(() => cell.QueuedCount == 10, Patience, "the other appends are queued");

        journal.FirstWriteMayFinish.SetResult();
        await first;
        var offsets = (await Task.WhenAll(rest)).Select(r => r.FirstOffset).ToList();

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), offsets);
        Assert.Equal([1, 4, 4, 2], journal.WriteSizes);
        var stored = await journal.Inner.ReadAsync(Partition, 0, 100, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 11).Select(i => (long)i), stored.Select(m => m.Offset));
        await cell.StopAsync();
    }
}
