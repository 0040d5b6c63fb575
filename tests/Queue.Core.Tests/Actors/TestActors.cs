using System.Collections.Concurrent;
using Queue.Core.Actors;

namespace Queue.Core.Tests.Actors;

internal sealed record Add(int Value) : IAsk<int>;

internal sealed record Boom : IAsk<int>;

internal sealed record Block(Task Until) : IAsk<int>;

internal sealed record Log(int Value);

/// <summary>
/// Stands in for persistence: what a "persisted" counter holds survives the actor instance, the
/// way a journal survives a restart.
/// </summary>
internal sealed class FakeStore
{
    public int Persisted;
    public int Starts;
    public int FailStarts;
    public int Running;
    public int MaxRunning;
    public readonly ConcurrentQueue<int> Seen = new();
}

/// <summary>Sums what it is sent; the sum is written to the store before each reply.</summary>
internal sealed class CounterActor(FakeStore store) : Actor
{
    private int _sum;

    protected override Task PreStartAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref store.Starts);
        if (store.FailStarts > 0)
        {
            store.FailStarts--;
            throw new InvalidOperationException("journal down");
        }
        _sum = store.Persisted;
        return Task.CompletedTask;
    }

    protected override async ValueTask ReceiveAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        var running = Interlocked.Increment(ref store.Running);
        store.MaxRunning = Math.Max(store.MaxRunning, running);
        try
        {
            switch (envelope.Message)
            {
                case Add add:
                    _sum += add.Value;
                    store.Persisted = _sum;
                    store.Seen.Enqueue(add.Value);
                    envelope.Reply(_sum);
                    break;
                case Log log:
                    store.Seen.Enqueue(log.Value);
                    break;
                case Block block:
                    await block.Until;
                    envelope.Reply(_sum);
                    break;
                case Boom:
                    // Corrupt in-memory state, then fail: a restart must discard it.
                    _sum = -1_000_000;
                    throw new InvalidOperationException("boom");
            }
        }
        finally
        {
            Interlocked.Decrement(ref store.Running);
        }
    }
}
