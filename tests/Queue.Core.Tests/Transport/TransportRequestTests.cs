using System.Diagnostics;
using Queue.Core.Actors;
using Queue.Core.Edge;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Transport;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.Core.Tests.Transport;

public sealed class TransportRequestTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TransportTestKit.Patience;

    [Fact]
    public async Task A_request_gets_its_response()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var client = kit.Client(server);

        Assert.Equal("hello", await client.RequestAsync(new Echo("hello"), CancellationToken.None));
        Assert.Equal("server", client.RemoteNodeId);
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task A_thousand_concurrent_requests_on_one_connection_are_each_matched_to_their_own_response()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var client = kit.Client(server);
        await client.ConnectAsync(CancellationToken.None);

        var stopwatch = Stopwatch.StartNew();
        var requests = Enumerable.Range(0, 1_000)
            .Select(i => Task.Run(() => client.RequestAsync(new Echo($"request {i}"), CancellationToken.None)))
            .ToArray();
        var responses = await Task.WhenAll(requests);
        stopwatch.Stop();

        for (var i = 0; i < responses.Length; i++)
        {
            Assert.Equal($"request {i}", responses[i]);
        }
        Assert.Equal(1, client.Counters.ConnectionsOpened);
        output.WriteLine($"1,000 concurrent requests in {stopwatch.Elapsed.TotalMilliseconds:0} ms");
        output.WriteLine($"client: {client.Counters}");
        output.WriteLine($"server: {server.Counters}");
    }

    [Fact]
    public async Task Large_frames_spanning_many_reads_and_writes_round_trip_among_small_ones()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var client = kit.Client(server);
        var large = string.Create(3 * 1024 * 1024, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + i % 26);
            }
        });

        var requests = Enumerable.Range(0, 20)
            .Select(i => client.RequestAsync(new Echo(i % 5 == 0 ? large + i : $"small {i}"), CancellationToken.None))
            .ToArray();
        var responses = await Task.WhenAll(requests);

        for (var i = 0; i < responses.Length; i++)
        {
            Assert.Equal(i % 5 == 0 ? large + i : $"small {i}", responses[i]);
        }
    }

    [Fact]
    public async Task A_slow_request_does_not_hold_up_the_others_on_the_same_connection()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var client = kit.Client(server);

        var slow = client.RequestAsync(new WaitFor("slow"), CancellationToken.None);
        await Eventually.True(() => Volatile.Read(ref kit.Running) == 1, Patience, "the slow request is in its handler");
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal($"fast {i}", await client.RequestAsync(new Echo($"fast {i}"), CancellationToken.None));
        }
        Assert.False(slow.IsCompleted);

        kit.Gate("slow").SetResult();
        Assert.Equal("slow", await slow);
    }

    [Fact]
    public async Task One_way_messages_reach_the_handler()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var client = kit.Client(server);

        await client.SendOneWayAsync(new Echo("told"), CancellationToken.None);
        await Eventually.True(() => kit.OneWay.Contains(new Echo("told")), Patience, "the one-way message was handled");
    }

    [Fact]
    public async Task A_request_without_an_answer_in_time_fails_as_retryable_and_the_connection_stays_usable()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var client = kit.Client(server);

        var error = await Assert.ThrowsAsync<TransportUnavailableException>(
            () => client.RequestAsync(new WaitFor("never-in-time"), TimeSpan.FromMilliseconds(200), CancellationToken.None));
        Assert.True(error.MayHaveBeenProcessed);
        Assert.Equal(RetryAdvice.Retry, RemoteErrors.AdviceFor(error));

        // The late answer finds nobody waiting and is dropped; the connection carries on.
        kit.Gate("never-in-time").SetResult();
        Assert.Equal("after", await client.RequestAsync(new Echo("after"), CancellationToken.None));
        Assert.Equal(1, client.Counters.ConnectionsOpened);
    }

    [Fact]
    public async Task Cancellation_ends_the_wait_for_an_answer()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var client = kit.Client(server);
        using var cts = new CancellationTokenSource();

        var request = client.RequestAsync(new WaitFor("cancelled"), cts.Token);
        await Eventually.True(() => Volatile.Read(ref kit.Running) == 1, Patience, "the request is in its handler");
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
    }

    public static TheoryData<string> Failures() => [.. FailureCases.Keys];

    private static readonly Dictionary<string, (Exception Thrown, Action<Exception> Check)> FailureCases = new()
    {
        ["not found"] = (new QueueException(QueueErrorKind.NotFound, "no topic 'x'"), KeepsQueueKind),
        ["empty"] = (new QueueException(QueueErrorKind.Empty, "nothing left"), e =>
            Assert.Equal(QueueErrorKind.Empty, Assert.IsType<QueueException>(e).Kind)),
        ["unavailable"] = (new QueueException(QueueErrorKind.Unavailable, "busy"), e =>
            Assert.Equal(RetryAdvice.Retry, RemoteErrors.AdviceFor(e))),
        ["fenced"] = (new JournalFencedException(new PartitionId("t", 0), 3, 4), Moved),
        ["not owner"] = (new NotOwnerException("t/0 is owned by node-2"), e =>
            Assert.Equal(RetryAdvice.RefreshRoutingAndRetry, RemoteErrors.AdviceFor(Assert.IsType<NotOwnerException>(e)))),
        ["journal down"] = (new JournalUnavailableException("postgres unreachable"), Retryable),
        ["actor unavailable"] = (new ActorUnavailableException("p/t/0", new InvalidOperationException("recovery failed")), Retryable),
        ["actor stopped"] = (new ActorStoppedException("p/t/0"), Retryable),
        ["ask timeout"] = (new AskTimeoutException("p/t/0", TimeSpan.FromSeconds(1)), Retryable),
        ["bug"] = (new InvalidOperationException("handler bug"), Permanent),
    };

    private static void KeepsQueueKind(Exception e)
    {
        var q = Assert.IsType<QueueException>(e);
        Assert.Equal((QueueErrorKind.NotFound, "no topic 'x'"), (q.Kind, q.Message));
        Assert.Equal(RetryAdvice.DoNotRetry, RemoteErrors.AdviceFor(e));
    }

    private static void Moved(Exception e)
    {
        Assert.IsType<NotOwnerException>(e);
        Assert.Contains("moved", e.Message);
        Assert.Equal(RetryAdvice.RefreshRoutingAndRetry, RemoteErrors.AdviceFor(e));
    }

    private static void Permanent(Exception e)
    {
        var remote = Assert.IsType<RemoteFailureException>(e);
        Assert.Equal(RemoteErrorKind.Internal, remote.Kind);
        Assert.Contains("handler bug", remote.Message);
        Assert.Equal(RetryAdvice.DoNotRetry, RemoteErrors.AdviceFor(e));
    }

    private static void Retryable(Exception e)
    {
        var q = Assert.IsType<QueueException>(e);
        Assert.Equal(QueueErrorKind.Unavailable, q.Kind);
        Assert.True(q.IsRetryable);
        Assert.Equal(RetryAdvice.Retry, RemoteErrors.AdviceFor(e));
    }

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Handler_failures_come_back_as_exceptions_that_say_whether_to_retry(string name)
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var client = kit.Client(server);
        var (thrown, check) = FailureCases[name];
        kit.Failures[name] = thrown;

        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.RequestAsync(new Fail(name), CancellationToken.None));
        check(error);
        // An error response is an answer like any other: the connection stays.
        Assert.Equal("still here", await client.RequestAsync(new Echo("still here"), CancellationToken.None));
        Assert.Equal(1, client.Counters.ConnectionsOpened);
    }

    [Fact]
    public async Task A_request_the_peer_cannot_decode_fails_alone_and_permanently()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var newerCodec = TransportTestKit.TestTypes(new MessageCodecBuilder().AddDefaults())
            .Register(1020, static (w, v) => w.WriteInt32(v.Value), static (ref WireReader r) => new Unknown(r.ReadInt32()))
            .Build();
        var client = kit.Client(server, codec: newerCodec);

        var error = await Assert.ThrowsAsync<RemoteFailureException>(() => client.RequestAsync(new Unknown(1), CancellationToken.None));
        Assert.Equal(RemoteErrorKind.BadMessage, error.Kind);
        Assert.Equal("ok", await client.RequestAsync(new Echo("ok"), CancellationToken.None));
        Assert.Equal(0, server.Counters.ProtocolErrors);
    }

    [Fact]
    public async Task A_request_over_the_frame_limit_is_refused_before_it_is_sent()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var client = kit.Client(server, TransportTestKit.Options("client") with { MaxFrameBytes = 8 * 1024 });

        var error = await Assert.ThrowsAsync<QueueException>(() => client.RequestAsync(new Echo(new string('x', 10_000)), CancellationToken.None));
        Assert.Equal(QueueErrorKind.TooLarge, error.Kind);
        Assert.Equal("small", await client.RequestAsync(new Echo("small"), CancellationToken.None));
    }
}
