using Queue.Core.Transport;
using Queue.Testing;

namespace Queue.Core.Tests.Transport;

public sealed class TransportFailureTests
{
    private static readonly TimeSpan Patience = TransportTestKit.Patience;

    [Fact]
    public async Task An_oversized_frame_closes_that_connection_only()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var bystander = kit.Client(server);
        Assert.Equal("before", await bystander.RequestAsync(new Echo("before"), CancellationToken.None));

        await using var raw = await RawPeer.ConnectAsync(server.LocalEndPoint!.Port);
        await raw.HandshakeAsync(TransportTestKit.Secret, "raw");
        // A length prefix announcing 1 GiB: refused from the prefix, before any body is buffered.
        await raw.SendAsync([0x00, 0x00, 0x00, 0x40, (byte)FrameKind.Request, 1, 0, 0, 0, 0, 0, 0, 0]);

        Assert.True(await raw.IsClosedByPeerAsync());
        Assert.Equal(1, server.Counters.ProtocolErrors);
        Assert.Equal("after", await bystander.RequestAsync(new Echo("after"), CancellationToken.None));
        Assert.Equal(1, bystander.Counters.ConnectionsOpened);
    }

    [Fact]
    public async Task Garbage_after_the_handshake_closes_that_connection_only()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var bystander = kit.Client(server);
        await bystander.ConnectAsync(CancellationToken.None);

        await using var raw = await RawPeer.ConnectAsync(server.LocalEndPoint!.Port);
        await raw.HandshakeAsync(TransportTestKit.Secret, "raw");
        // Well-sized, but of a kind that does not exist.
        await raw.SendAsync([9, 0, 0, 0, 0xEE, 0, 0, 0, 0, 0, 0, 0, 0]);

        Assert.True(await raw.IsClosedByPeerAsync());
        Assert.Equal(1, server.Counters.ProtocolErrors);
        Assert.Equal("fine", await bystander.RequestAsync(new Echo("fine"), CancellationToken.None));
    }

    [Fact]
    public async Task Garbage_instead_of_a_handshake_is_dropped_and_nothing_is_handled()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var bystander = kit.Client(server);
        await bystander.ConnectAsync(CancellationToken.None);

        await using var raw = await RawPeer.ConnectAsync(server.LocalEndPoint!.Port);
        await raw.SendAsync(Enumerable.Range(0, 64).Select(i => (byte)(i * 37)).ToArray());

        Assert.True(await raw.IsClosedByPeerAsync());
        Assert.Equal(0, Volatile.Read(ref kit.Running));
        Assert.Equal("fine", await bystander.RequestAsync(new Echo("fine"), CancellationToken.None));
    }

    [Fact]
    public async Task A_peer_that_connects_and_stays_silent_is_dropped_after_the_handshake_timeout()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync(TransportTestKit.Options("server") with { HandshakeTimeout = TimeSpan.FromMilliseconds(200) });

        await using var raw = await RawPeer.ConnectAsync(server.LocalEndPoint!.Port);
        Assert.True(await raw.IsClosedByPeerAsync());
    }

    [Fact]
    public async Task Requests_pending_when_the_server_dies_fail_at_once_with_a_retryable_error()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var client = kit.Client(server);
        var pending = Enumerable.Range(0, 10)
            .Select(i => client.RequestAsync(new WaitFor($"held {i}"), TimeSpan.FromMinutes(10), CancellationToken.None))
            .ToArray();
        await Eventually.True(() => Volatile.Read(ref kit.Running) == 10, Patience, "all requests are in their handlers");

        await server.StopAsync();

        // The ten-minute timeout is not what ends them: the lost connection is.
        foreach (var request in pending)
        {
            var error = await Assert.ThrowsAsync<TransportUnavailableException>(() => request);
            Assert.Contains("lost", error.Message);
            Assert.True(error.MayHaveBeenProcessed);
            Assert.Equal(RetryAdvice.Retry, RemoteErrors.AdviceFor(error));
        }
    }

    [Fact]
    public async Task An_unreachable_peer_fails_fast_and_is_not_redialled_during_the_back_off()
    {
        await using var kit = new TransportTestKit();
        var client = kit.Client(FreePort.Next(), TransportTestKit.Options("client") with
        {
            ReconnectMinBackoff = TimeSpan.FromMinutes(5),
            ReconnectMaxBackoff = TimeSpan.FromMinutes(5),
        });

        var first = await Assert.ThrowsAsync<TransportUnavailableException>(() => client.RequestAsync(new Echo("x"), CancellationToken.None));
        Assert.Contains("could not connect", first.Message);
        Assert.False(first.MayHaveBeenProcessed);

        var gated = await Assert.ThrowsAsync<TransportUnavailableException>(() => client.RequestAsync(new Echo("x"), CancellationToken.None));
        Assert.Contains("back-off", gated.Message);
        Assert.Equal(RetryAdvice.Retry, RemoteErrors.AdviceFor(gated));
    }

    [Fact]
    public async Task After_a_server_restart_the_client_reconnects_and_requests_succeed_again()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var port = server.LocalEndPoint!.Port;
        var client = kit.Client(server);
        Assert.Equal("one", await client.RequestAsync(new Echo("one"), CancellationToken.None));

        await server.StopAsync();
        await Assert.ThrowsAsync<TransportUnavailableException>(() => client.RequestAsync(new Echo("down"), CancellationToken.None));

        await kit.StartServerAsync(port: port);
        object? answer = null;
        await Eventually.True(async () =>
        {
            try
            {
                answer = await client.RequestAsync(new Echo("two"), CancellationToken.None);
                return true;
            }
            catch (TransportUnavailableException)
            {
                // Gated by the back-off after the failed attempts while the server was down.
                return false;
            }
        }, Patience, "the client has reconnected");
        Assert.Equal("two", answer);
        Assert.Equal(2, client.Counters.ConnectionsOpened);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task A_peer_that_hangs_without_closing_is_detected_by_the_heartbeat_and_pending_requests_fail()
    {
        await using var kit = new TransportTestKit();
        await using var hung = RawPeer.FakeServer(TransportTestKit.Secret);
        var client = kit.Client(hung.Port, TransportTestKit.Options("client") with
        {
            HeartbeatInterval = TimeSpan.FromMilliseconds(50),
            HeartbeatTimeout = TimeSpan.FromMilliseconds(300),
        });

        // The ten-minute timeout is not what ends it: the silence is.
        var error = await Assert.ThrowsAsync<TransportUnavailableException>(
            () => client.RequestAsync(new Echo("anyone?"), TimeSpan.FromMinutes(10), CancellationToken.None));
        Assert.Contains("lost", error.Message);
        Assert.Contains("nothing received", error.Message);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_client_that_goes_silent_after_the_handshake_is_dropped_by_the_server()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync(TransportTestKit.Options("server") with
        {
            HeartbeatInterval = TimeSpan.FromMilliseconds(50),
            HeartbeatTimeout = TimeSpan.FromMilliseconds(300),
        });

        await using var silent = await RawPeer.ConnectAsync(server.LocalEndPoint!.Port);
        await silent.HandshakeAsync(TransportTestKit.Secret, "silent");

        Assert.True(await silent.IsClosedByPeerAsync());
        await Eventually.True(() => server.ConnectionCount == 0, Patience, "the server forgot the connection");
    }

    [Fact]
    public async Task Pings_keep_a_connection_waiting_on_a_slow_request_open_on_both_sides()
    {
        // While the request waits, only pings and pongs cross the connection; they must keep
        // flowing so that neither side's silence check fires. (Timeouts stay generous: a
        // shared CI machine can stall a process for a moment.)
        await using var kit = new TransportTestKit();
        var heartbeat = new { HeartbeatInterval = TimeSpan.FromMilliseconds(20), HeartbeatTimeout = TimeSpan.FromSeconds(3) };
        var server = await kit.StartServerAsync(TransportTestKit.Options("server") with
        {
            HeartbeatInterval = heartbeat.HeartbeatInterval,
            HeartbeatTimeout = heartbeat.HeartbeatTimeout,
        });
        var client = kit.Client(server, TransportTestKit.Options("client") with
        {
            HeartbeatInterval = heartbeat.HeartbeatInterval,
            HeartbeatTimeout = heartbeat.HeartbeatTimeout,
        });

        var slow = client.RequestAsync(new WaitFor("slow"), TimeSpan.FromMinutes(1), CancellationToken.None);
        await Eventually.True(() => server.Counters.FramesReceived >= 20, Patience, "the waiting client has pinged many times");
        Assert.True(client.IsConnected);
        kit.Gate("slow").SetResult();

        Assert.Equal("slow", await slow);
        Assert.Equal(1, client.Counters.ConnectionsOpened);
    }

    [Fact]
    public async Task Under_load_across_repeated_server_restarts_every_request_ends_with_an_answer_or_a_retryable_error()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var port = server.LocalEndPoint!.Port;
        var client = kit.Client(server);
        long answered = 0, retryable = 0;
        var unexpected = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        using var stop = new CancellationTokenSource();

        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var text = $"{w}/{i}";
                    Assert.Equal(text, await client.RequestAsync(new Echo(text), CancellationToken.None));
                    Interlocked.Increment(ref answered);
                }
                catch (TransportUnavailableException)
                {
                    Interlocked.Increment(ref retryable);
                    // What a real caller does before retrying; keeps the loop from spinning.
                    await Task.Delay(1);
                }
                catch (Exception ex)
                {
                    unexpected.Enqueue(ex);
                }
            }
        })).ToArray();

        for (var restart = 0; restart < 3; restart++)
        {
            var before = Interlocked.Read(ref answered);
            await Eventually.True(() => Interlocked.Read(ref answered) > before + 100, Patience, "requests are being answered");
            await server.StopAsync();
            server = await kit.StartServerAsync(port: port);
        }
        var last = Interlocked.Read(ref answered);
        await Eventually.True(() => Interlocked.Read(ref answered) > last + 100, Patience, "requests are answered after the last restart");
        stop.Cancel();

        // A request that hung would keep its worker from finishing.
        await Task.WhenAll(workers).WaitAsync(Patience);
        Assert.Empty(unexpected);
        Assert.True(client.Counters.ConnectionsOpened >= 4);
    }

    [Fact]
    public async Task Closing_a_client_fails_its_pending_requests_and_refuses_new_ones()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var client = kit.Client(server);
        var pending = client.RequestAsync(new WaitFor("forever"), CancellationToken.None);
        await Eventually.True(() => Volatile.Read(ref kit.Running) == 1, Patience, "the request is in its handler");

        await client.DisposeAsync();

        await Assert.ThrowsAsync<TransportUnavailableException>(() => pending);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.RequestAsync(new Echo("x"), CancellationToken.None));
        await Eventually.True(() => server.ConnectionCount == 0, Patience, "the server saw the connection close");
    }
}
