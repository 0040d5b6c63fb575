using Microsoft.Extensions.Logging.Abstractions;
using Queue.Core.Actors;

namespace Queue.Core.Tests.Actors;

public sealed class ActorCellTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static ActorCell Cell(FakeStore store, int capacity = 100, TimeSpan? minBackoff = null) =>
        new("test/counter", () => new CounterActor(store),
            new ActorCellOptions
            {
                MailboxCapacity = capacity,
                MinRestartBackoff = minBackoff ?? TimeSpan.FromMilliseconds(50),
                MaxRestartBackoff = TimeSpan.FromSeconds(1),
            },
            TimeProvider.System, NullLogger.Instance);

    [Fact]
    public async Task Messages_from_one_sender_are_handled_in_order()
    {
        var store = new FakeStore();
        var cell = Cell(store, capacity: 10_000);
        for (var i = 0; i < 5_000; i++)
        {
            await cell.TellAsync(new Log(i));
        }
        await cell.StopAsync();
        Assert.Equal(Enumerable.Range(0, 5_000), store.Seen);
    }

    [Fact]
    public async Task Concurrent_senders_never_run_the_actor_concurrently_and_lose_nothing()
    {
        var store = new FakeStore();
        var cell = Cell(store, capacity: 64);
        var senders = Enumerable.Range(0, 8).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                await cell.AskAsync(new Add(1), Patience);
            }
        }));
        await Task.WhenAll(senders);
        Assert.Equal(1, store.MaxRunning);
        Assert.Equal(4_000, await cell.AskAsync(new Add(0), Patience));
        await cell.StopAsync();
    }

    [Fact]
    public async Task Ask_without_a_reply_in_time_times_out_and_the_late_message_is_skipped()
    {
        var store = new FakeStore();
        var cell = Cell(store);
        var gate = new TaskCompletionSource();
        var blocked = cell.AskAsync(new Block(gate.Task), Patience);

        // The actor is busy, so this ask waits in the mailbox past its timeout.
        var error = await Assert.ThrowsAsync<AskTimeoutException>(() => cell.AskAsync(new Add(5), TimeSpan.FromMilliseconds(100)));
        Assert.Contains("test/counter", error.Message);

        gate.SetResult();
        await blocked;
        // The abandoned Add(5) was skipped: its sender was already told it failed.
        Assert.Equal(1, await cell.AskAsync(new Add(1), Patience));
        await cell.StopAsync();
    }

    [Fact]
    public async Task Ask_honours_cancellation()
    {
        var store = new FakeStore();
        var cell = Cell(store);
        var gate = new TaskCompletionSource();
        _ = cell.AskAsync(new Block(gate.Task), Patience);
        using var cts = new CancellationTokenSource();
        var ask = cell.AskAsync(new Add(1), Patience, cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ask);
        gate.SetResult();
        await cell.StopAsync();
    }

    [Fact]
    public async Task A_failing_actor_restarts_from_persisted_state_and_keeps_serving()
    {
        var store = new FakeStore();
        var cell = Cell(store);
        Assert.Equal(3, await cell.AskAsync(new Add(3), Patience));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => cell.AskAsync(new Boom(), Patience));
        Assert.Equal("boom", failure.Message);

        // The corrupted in-memory sum is gone; the new instance started from the store.
        Assert.Equal(7, await cell.AskAsync(new Add(4), Patience));
        Assert.Equal(2, store.Starts);
        await cell.StopAsync();
    }

    [Fact]
    public async Task A_failed_start_answers_unavailable_then_recovers_after_the_backoff()
    {
        var store = new FakeStore { FailStarts = 1, Persisted = 10 };
        var cell = Cell(store, minBackoff: TimeSpan.FromMilliseconds(100));

        var error = await Assert.ThrowsAsync<ActorUnavailableException>(() => cell.AskAsync(new Add(1), Patience));
        Assert.Contains("journal down", error.Message);

        // Retried on a later message once the back-off has passed; no message is lost silently:
        // each either fails with Unavailable or is applied.
        int? sum = null;
        await Queue.Testing.Eventually.True(async () =>
        {
            try
            {
                sum = await cell.AskAsync(new Add(1), Patience);
                return true;
            }
            catch (ActorUnavailableException)
            {
                return false;
            }
        }, Patience, "the actor starts after its back-off");
        Assert.Equal(11, sum);
        await cell.StopAsync();
    }

    [Fact]
    public async Task A_full_mailbox_makes_senders_wait_instead_of_growing()
    {
        var store = new FakeStore();
        var cell = Cell(store, capacity: 4);
        var gate = new TaskCompletionSource();
        var blocked = cell.AskAsync(new Block(gate.Task), Patience);
        await Queue.Testing.Eventually.True(() => store.Running == 1, Patience, "the actor is busy");

        // Four fit in the mailbox; the fifth send cannot complete while the actor is blocked.
        for (var i = 0; i < 4; i++)
        {
            await cell.TellAsync(new Log(i));
        }
        var fifth = cell.TellAsync(new Log(4)).AsTask();
        var raced = await Task.WhenAny(fifth, Task.Delay(200));
        Assert.NotSame(fifth, raced);
        Assert.Equal(4, cell.QueuedCount);

        gate.SetResult();
        await fifth;
        await blocked;
        await cell.StopAsync();
        Assert.Equal([0, 1, 2, 3, 4], store.Seen);
    }

    [Fact]
    public async Task A_full_mailbox_surfaces_as_an_ask_timeout()
    {
        var store = new FakeStore();
        var cell = Cell(store, capacity: 1);
        var gate = new TaskCompletionSource();
        var blocked = cell.AskAsync(new Block(gate.Task), Patience);
        await Queue.Testing.Eventually.True(() => store.Running == 1, Patience, "the actor is busy");
        await cell.TellAsync(new Log(0));

        await Assert.ThrowsAsync<AskTimeoutException>(() => cell.AskAsync(new Add(1), TimeSpan.FromMilliseconds(100)));
        gate.SetResult();
        await blocked;
        await cell.StopAsync();
    }

    [Fact]
    public async Task Stop_finishes_queued_messages_then_refuses_new_ones()
    {
        var store = new FakeStore();
        var cell = Cell(store);
        var asks = Enumerable.Range(0, 10).Select(_ => cell.AskAsync(new Add(1), Patience)).ToList();
        await cell.StopAsync();
        Assert.Equal(Enumerable.Range(1, 10), (await Task.WhenAll(asks)).Order());
        await Assert.ThrowsAsync<ActorStoppedException>(() => cell.AskAsync(new Add(1), Patience));
    }
}
