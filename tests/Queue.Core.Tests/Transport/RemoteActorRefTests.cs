using Microsoft.Extensions.Logging.Abstractions;
using Queue.Core.Actors;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Core.Tests.Actors;
using TellMessage = Queue.Core.Tests.Actors.Log;
using Queue.Core.Transport;
using Queue.Testing;

namespace Queue.Core.Tests.Transport;

public sealed class RemoteActorRefTests
{
    private static readonly TimeSpan Patience = TransportTestKit.Patience;

    private static ActorCell Counter(FakeStore store) =>
        new("local/counter", () => new CounterActor(store), new ActorCellOptions(), TimeProvider.System, NullLogger.Instance);

    /// <summary>A counter actor on the kit's server, under the path "counter".</summary>
    private static async Task<(FakeStore Store, ActorCell Cell, TransportServer Server)> ServeCounterAsync(TransportTestKit kit)
    {
        var store = new FakeStore();
        var cell = Counter(store);
        kit.Actors["counter"] = cell;
        return (store, cell, await kit.StartServerAsync());
    }

    [Fact]
    public async Task Ask_through_a_remote_ref_reaches_the_local_actor_on_the_other_node()
    {
        await using var kit = new TransportTestKit();
        var (store, cell, server) = await ServeCounterAsync(kit);
        IActorRef remote = RemoteActorRef.ForPath(kit.Client(server), "counter");

        Assert.Equal(5, await remote.AskAsync(new Add(5), Patience));
        Assert.Equal(8, await remote.AskAsync(new Add(3), Patience));
        Assert.Equal(8, store.Persisted);
        Assert.Contains("counter", remote.Path);
        await cell.StopAsync();
    }

    [Fact]
    public async Task Many_concurrent_asks_through_one_remote_ref_all_get_their_answers()
    {
        await using var kit = new TransportTestKit();
        var (store, cell, server) = await ServeCounterAsync(kit);
        IActorRef remote = RemoteActorRef.ForPath(kit.Client(server), "counter");

        await Task.WhenAll(Enumerable.Range(0, 500).Select(_ => remote.AskAsync(new Add(1), Patience)));
        Assert.Equal(500, await remote.AskAsync(new Add(0), Patience));
        await cell.StopAsync();
    }

    [Fact]
    public async Task Tell_through_a_remote_ref_is_one_way()
    {
        await using var kit = new TransportTestKit();
        var (store, cell, server) = await ServeCounterAsync(kit);
        var remote = RemoteActorRef.ForPath(kit.Client(server), "counter");

        await remote.TellAsync(new TellMessage(7));
        await Eventually.True(() => store.Seen.Contains(7), Patience, "the told message reached the actor");
        await cell.StopAsync();
    }

    [Fact]
    public async Task An_actor_failure_comes_back_through_ask_and_the_actor_restarts()
    {
        await using var kit = new TransportTestKit();
        var (store, cell, server) = await ServeCounterAsync(kit);
        IActorRef remote = RemoteActorRef.ForPath(kit.Client(server), "counter");
        await remote.AskAsync(new Add(2), Patience);

        var error = await Assert.ThrowsAsync<RemoteFailureException>(() => remote.AskAsync(new Boom(), Patience));
        Assert.Contains("boom", error.Message);
        Assert.Equal(3, await remote.AskAsync(new Add(1), Patience));
        await cell.StopAsync();
    }

    [Fact]
    public async Task A_remote_ask_to_a_dead_node_fails_as_retryable_instead_of_hanging()
    {
        await using var kit = new TransportTestKit();
        IActorRef remote = RemoteActorRef.ForPath(kit.Client(FreePort.Next()), "counter");

        var error = await Assert.ThrowsAsync<TransportUnavailableException>(() => remote.AskAsync(new Add(1), Patience));
        Assert.Equal(RetryAdvice.Retry, RemoteErrors.AdviceFor(error));
    }

    [Fact]
    public async Task A_partition_ref_wraps_its_messages_in_a_partition_request()
    {
        await using var kit = new TransportTestKit();
        PartitionRequest? seen = null;
        var server = new TransportServer(TransportTestKit.Options("server"), TransportTestKit.Codec(), (message, _) =>
        {
            seen = (PartitionRequest)message;
            return ValueTask.FromResult<object?>(new MessagesAppended(10, 1));
        });
        await server.StartAsync("127.0.0.1", 0, CancellationToken.None);
        try
        {
            IActorRef remote = RemoteActorRef.ForPartition(kit.Client(server), new PartitionId("orders", 2));
            var reply = await remote.AskAsync(new AppendMessages([new ProduceItem("m", 1)]), Patience);

            Assert.Equal(new MessagesAppended(10, 1), reply);
            Assert.Equal(new PartitionId("orders", 2), seen!.Partition);
            Assert.IsType<AppendMessages>(seen.Message);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
