using Microsoft.Extensions.Logging.Abstractions;
using Queue.Core.Actors;

namespace Queue.Core.Tests.Actors;

public sealed class ActorRegistryTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static ActorRegistry<string> Registry(Func<string, FakeStore> storeOf, TimeSpan idle) =>
        new(key => new CounterActor(storeOf(key)), key => $"counter/{key}", new ActorCellOptions(), idle, TimeProvider.System, NullLogger.Instance);

    [Fact]
    public async Task Actors_start_on_first_message_one_per_key()
    {
        var stores = new Dictionary<string, FakeStore> { ["a"] = new(), ["b"] = new() };
        await using var registry = Registry(k => stores[k], Timeout.InfiniteTimeSpan);
        Assert.Empty(registry.ActiveKeys);

        await registry.Get("a").AskAsync(new Add(1), Patience);
        await registry.Get("a").AskAsync(new Add(1), Patience);
        await registry.Get("b").AskAsync(new Add(5), Patience);

        Assert.Equal(["a", "b"], registry.ActiveKeys.Order());
        Assert.Equal(1, stores["a"].Starts);
        Assert.Equal(2, stores["a"].Persisted);
        Assert.Equal(5, stores["b"].Persisted);
    }

    [Fact]
    public async Task Idle_actors_stop_and_restart_from_persisted_state_on_the_next_message()
    {
        var store = new FakeStore();
        await using var registry = Registry(_ => store, TimeSpan.FromMilliseconds(100));
        var actor = registry.Get("a");
        Assert.Equal(2, await actor.AskAsync(new Add(2), Patience));

        await Queue.Testing.Eventually.True(() => registry.ActiveKeys.Count == 0, Patience, "the idle actor is stopped");

        // The same reference still works: it starts a new incarnation that recovers the sum.
        Assert.Equal(5, await actor.AskAsync(new Add(3), Patience));
        Assert.Equal(2, store.Starts);
    }

    [Fact]
    public async Task Stopping_under_load_never_runs_two_incarnations_at_once_and_loses_nothing()
    {
        var store = new FakeStore();
        await using var registry = Registry(_ => store, Timeout.InfiniteTimeSpan);
        var actor = registry.Get("a");
        // Each sender stops the actor now and then without waiting, so stops race with sends
        // from the other senders, and the messages in flight must still all land exactly once.
        var senders = Enumerable.Range(0, 4).Select(sender => Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                await actor.AskAsync(new Add(1), Patience);
                if (i % 20 == 0)
                {
                    _ = registry.StopAsync("a");
                }
            }
        })).ToList();
        await Task.WhenAll(senders);

        Assert.Equal(1, store.MaxRunning);
        Assert.Equal(1_200, store.Persisted);
        Assert.True(store.Starts > 1, $"the actor should have been restarted; it started {store.Starts} time(s)");
    }

    [Fact]
    public async Task A_disposed_registry_refuses_messages()
    {
        var store = new FakeStore();
        var registry = Registry(_ => store, Timeout.InfiniteTimeSpan);
        await registry.Get("a").AskAsync(new Add(1), Patience);
        await registry.DisposeAsync();
        await Assert.ThrowsAsync<ActorStoppedException>(() => registry.Get("a").AskAsync(new Add(1), Patience));
    }
}
