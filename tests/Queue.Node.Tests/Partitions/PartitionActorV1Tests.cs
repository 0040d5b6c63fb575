using Microsoft.Extensions.Logging.Abstractions;
using Queue.Core.Actors;
using Queue.Core.Configuration;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Node.Partitions;

namespace Queue.Node.Tests.Partitions;

/// <summary>The partition actor's v1 messages: idempotent append, long-poll waiters, commits.</summary>
public sealed class PartitionActorV1Tests : IAsyncLifetime
{
    private static readonly PartitionId Id = new("t", 0);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly InMemoryJournal _journal = new();
    private ActorCell _cell = null!;

    public Task InitializeAsync()
    {
        _cell = new ActorCell("partition/t/0",
            () => new PartitionActor(Id, _journal, new PartitionSettings(), long.MaxValue, StandaloneOwnership.Instance, TimeProvider.System, NullLogger<PartitionActor>.Instance),
            new ActorCellOptions(), TimeProvider.System, NullLogger.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _cell.StopAsync();

    [Fact]
    public async Task A_repeated_sequence_returns_the_first_offsets_even_within_one_batch()
    {
        var batch = new AppendMessages([new ProduceItem("a", 7), new ProduceItem("b", 7)], new ProducerSequence(7, 3));

        // Sent together, the two usually share a mailbox batch (a retry overtaking the commit of
        // its original); either way the second must not append.
        var first = _cell.AskAsync(batch, Timeout);
        var retry = _cell.AskAsync(batch, Timeout);
        var (a, b) = (await first, await retry);

        Assert.Equal(AppendStatus.Appended, a.Status);
        Assert.Equal(AppendStatus.Duplicate, b.Status);
        Assert.Equal((a.FirstOffset, a.Count), (b.FirstOffset, b.Count));
        Assert.Equal(2, (await _journal.ReadAsync(Id, 0, 10, CancellationToken.None)).Count);

        var stale = await _cell.AskAsync(batch with { Sequence = new ProducerSequence(7, 2) }, Timeout);
        Assert.Equal(AppendStatus.StaleSequence, stale.Status);
        Assert.Equal(3, stale.LastSequence);

        // Another producer's sequence numbers are its own.
        var other = await _cell.AskAsync(batch with { Sequence = new ProducerSequence(8, 0) }, Timeout);
        Assert.Equal(AppendStatus.Appended, other.Status);
        Assert.Equal(2, other.FirstOffset);
    }

    [Fact]
    public async Task A_waiter_is_answered_after_the_commit_that_passes_its_offset()
    {
        var waiting = _cell.AskAsync(new WaitForMessages(0), Timeout);
        // The actor keeps serving while the waiter is parked.
        var backlog = await _cell.AskAsync(new GetBacklog(1, StartFrom.Earliest), Timeout);
        Assert.Equal(0, backlog.HighWatermark);
        Assert.False(waiting.IsCompleted);

        await _cell.AskAsync(new AppendMessages([new ProduceItem("x", 0)]), Timeout);
        Assert.Equal(1, (await waiting).HighWatermark);

        // Already available: answered at once.
        Assert.Equal(1, (await _cell.AskAsync(new WaitForMessages(0), Timeout)).HighWatermark);
    }

    [Fact]
    public async Task Waiters_are_released_when_the_partition_stops()
    {
        var waiting = _cell.AskAsync(new WaitForMessages(5), Timeout);
        await _cell.AskAsync(new GetBacklog(1, StartFrom.Earliest), Timeout);

        await _cell.StopAsync();

        // "Nothing past your offset": the edge treats it as an empty long-poll.
        Assert.Equal(5, (await waiting).HighWatermark);
    }

    [Fact]
    public async Task Commits_inside_the_log_are_durable_and_others_change_nothing()
    {
        await _cell.AskAsync(new AppendMessages([new ProduceItem("x", 0), new ProduceItem("y", 0)]), Timeout);

        var accepted = await _cell.AskAsync(new CommitPosition(42, 2), Timeout);
        Assert.True(accepted.Accepted);
        var rejected = await _cell.AskAsync(new CommitPosition(42, 3), Timeout);
        Assert.False(rejected.Accepted);
        Assert.Equal(2, rejected.Position);

        var backwards = await _cell.AskAsync(new CommitPosition(42, 1), Timeout);
        Assert.True(backwards.Accepted);
        var recovered = await _journal.RecoverAsync(Id, null, 10, CancellationToken.None);
        Assert.Equal(1, recovered.Positions[42]);
    }
}
