using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Queue.Core.Transport;

/// <summary>
/// Requests to one peer over one multiplexed connection: any number in flight, each matched to
/// its response by correlation id. Never hangs: every request ends with its response, the
/// peer's error, or a retryable <see cref="TransportUnavailableException"/> (timeout, lost
/// connection, peer unreachable).
/// <para>
/// Reconnects on use. After a failed attempt the peer is "gated": requests fail at once (still
/// retryable) until the back-off has passed, and each further failure doubles the back-off up to
/// its maximum, so a dead peer costs callers nothing but a fast error. Only one attempt runs at a
/// time; concurrent callers share it (a compare-and-swap on the current session task, no lock).
/// </para>
/// </summary>
public sealed partial class TransportClient : IAsyncDisposable
{
    private readonly string _host;
    private readonly int _port;
    private readonly TransportOptions _options;
    private readonly MessageCodec _codec;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposing = new();
    private Task<Session>? _session;
    private long _nextCorrelationId;
    private long _gatedUntil;
    private long _backoffTicks;
    private int _disposed;

    public TransportClient(string host, int port, TransportOptions options, MessageCodec codec, ILogger<TransportClient>? logger = null, TimeProvider? time = null)
    {
        _host = host;
        _port = port;
        _options = options.Validate();
        _codec = codec;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _backoffTicks = options.ReconnectMinBackoff.Ticks;
        RemoteAddress = $"{host}:{port}";
    }

    /// <summary>host:port of the peer.</summary>
    public string RemoteAddress { get; }

    /// <summary>The peer's node id from the last handshake, null before the first.</summary>
    public string? RemoteNodeId { get; private set; }

    public TransportCounters Counters { get; } = new();

    /// <summary>The timeout <see cref="RequestAsync(object, CancellationToken)"/> uses.</summary>
    public TimeSpan DefaultRequestTimeout => _options.RequestTimeout;

    /// <summary>True while a handshaken connection is open.</summary>
    public bool IsConnected => Volatile.Read(ref _session) is { IsCompletedSuccessfully: true } task && !task.Result.Connection.IsClosed;

    /// <summary>Connects now instead of on first use.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken) => await GetSessionAsync(cancellationToken).ConfigureAwait(false);

    public Task<object?> RequestAsync(object message, CancellationToken cancellationToken) =>
        RequestAsync(message, _options.RequestTimeout, cancellationToken);

    /// <summary>Sends <paramref name="message"/> and waits for the peer's answer.</summary>
    /// <exception cref="TransportUnavailableException">Unreachable, lost, or no answer in time (retryable).</exception>
    /// <exception cref="Edge.QueueException">The peer's handler refused the request; its kind says why.</exception>
    /// <exception cref="NotOwnerException">The peer does not own the target: refresh routing and retry.</exception>
    /// <exception cref="RemoteFailureException">The peer failed permanently.</exception>
    public async Task<object?> RequestAsync(object message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reply = await SendRequestAsync(message, timeout, cancellationToken).ConfigureAwait(false);
        return await reply.ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a request and returns once it is queued on the connection; the returned task is the
    /// answer (it enforces <paramref name="timeout"/> itself). Lets <see cref="RemoteActorRef"/>
    /// behave like a mailbox: SendAsync returns when the message is on its way, not when answered.
    /// </summary>
    public async ValueTask<Task<object?>> SendRequestAsync(object message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        Session session;
        try
        {
            session = await GetSessionAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransportUnavailableException($"could not connect to {RemoteAddress} within {timeout.TotalMilliseconds:0} ms", mayHaveBeenProcessed: false);
        }

        var id = Interlocked.Increment(ref _nextCorrelationId);
        var frame = EncodeFrame(FrameKind.Request, id, message);
        var pending = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Must register before checking for close: OnClosed marks the session closed and then
        // fails what it finds registered, so either it finds this request or we see the mark.
        session.Pending[id] = pending;
        if (session.Connection.IsClosed)
        {
            session.Pending.TryRemove(id, out _);
            frame.Dispose();
            throw Lost(session, mayHaveBeenProcessed: false);
        }
        bool queued;
        try
        {
            queued = await session.Connection.SendAsync(frame, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            session.Pending.TryRemove(id, out _);
            throw new TransportUnavailableException($"send queue to {RemoteAddress} stayed full for {timeout.TotalMilliseconds:0} ms", mayHaveBeenProcessed: false);
        }
        catch
        {
            session.Pending.TryRemove(id, out _);
            throw;
        }
        if (!queued)
        {
            session.Pending.TryRemove(id, out _);
            throw Lost(session, mayHaveBeenProcessed: false);
        }
        var remaining = timeout - _time.GetElapsedTime(started);
        return AwaitReplyAsync(session, id, pending.Task, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, timeout, cancellationToken);
    }

    /// <summary>Sends a message that expects no answer (a tell); returns once it is queued.</summary>
    public async ValueTask SendOneWayAsync(object message, CancellationToken cancellationToken)
    {
        var session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        var frame = EncodeFrame(FrameKind.OneWay, 0, message);
        if (!await session.Connection.SendAsync(frame, cancellationToken).ConfigureAwait(false))
        {
            throw Lost(session, mayHaveBeenProcessed: false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _disposing.Cancel();
        if (Volatile.Read(ref _session) is { } task)
        {
            try
            {
                var session = await task.ConfigureAwait(false);
                session.Connection.Close();
                await session.Connection.Completion.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // A connection that never came up has nothing to close.
            }
        }
        _disposing.Dispose();
    }

    private async Task<object?> AwaitReplyAsync(Session session, long id, Task<object?> reply, TimeSpan remaining, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await reply.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!reply.IsCompleted)
        {
            // A late response finds no entry and is dropped.
            session.Pending.TryRemove(id, out _);
            throw new TransportUnavailableException($"no answer from {RemoteAddress} within {timeout.TotalMilliseconds:0} ms", mayHaveBeenProcessed: true);
        }
        catch (OperationCanceledException) when (!reply.IsCompleted)
        {
            session.Pending.TryRemove(id, out _);
            throw;
        }
    }

    private WireWriter EncodeFrame(FrameKind kind, long id, object message)
    {
        var frame = new WireWriter(_codec);
        try
        {
            FrameFormat.ReserveHeader(frame);
            _codec.Write(frame, message);
            if (frame.WrittenCount > _options.MaxFrameBytes)
            {
                throw new Edge.QueueException(Edge.QueueErrorKind.TooLarge,
                    $"request of {frame.WrittenCount} bytes exceeds the transport frame limit of {_options.MaxFrameBytes}");
            }
            FrameFormat.CompleteHeader(frame, kind, id);
            return frame;
        }
        catch
        {
            frame.Dispose();
            throw;
        }
    }

    private async Task<Session> GetSessionAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var current = Volatile.Read(ref _session);
            if (current is { IsCompleted: false })
            {
                var session = await current.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (!session.Connection.IsClosed)
                {
                    return session;
                }
            }
            else if (current is { IsCompletedSuccessfully: true } && !current.Result.Connection.IsClosed)
            {
                return current.Result;
            }
            else if (current is { IsFaulted: true } && _time.GetTimestamp() < Interlocked.Read(ref _gatedUntil))
            {
                var cause = current.Exception!.InnerException!;
                if (cause is TransportAuthenticationException)
                {
                    throw cause;
                }
                throw new TransportUnavailableException($"{RemoteAddress} is unreachable (retrying after back-off): {cause.Message}", mayHaveBeenProcessed: false, cause);
            }

            var attempt = new TaskCompletionSource<Session>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (Interlocked.CompareExchange(ref _session, attempt.Task, current) == current)
            {
                // Observe the faults here, so a failed attempt nobody awaited raises no
                // unobserved-task event; callers see the failure through the task itself.
                _ = attempt.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                _ = ConnectAsync(attempt);
            }
        }
    }

    private async Task ConnectAsync(TaskCompletionSource<Session> attempt)
    {
        Socket? socket = null;
        TransportConnection? connection = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token);
            timeout.CancelAfter(_options.ConnectTimeout);
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(_host, _port, timeout.Token).ConfigureAwait(false);
            connection = new TransportConnection(socket, _options.MaxFrameBytes, _options.SendQueueCapacity, Counters, _time, _logger);
            socket = null;
            timeout.CancelAfter(_options.HandshakeTimeout);
            var remoteNodeId = await HandshakeAsync(connection, timeout.Token).ConfigureAwait(false);
            connection.RemoteNodeId = remoteNodeId;
            RemoteNodeId = remoteNodeId;
            var session = new Session(this, connection);
            connection.Start(session);
            _ = session.HeartbeatAsync();
            Counters.OnConnectionOpened();
            Interlocked.Exchange(ref _backoffTicks, _options.ReconnectMinBackoff.Ticks);
            LogConnected(RemoteAddress, remoteNodeId);
            attempt.TrySetResult(session);
        }
        catch (Exception ex)
        {
            socket?.Dispose();
            connection?.Close(ex);
            var backoff = TimeSpan.FromTicks(Interlocked.Read(ref _backoffTicks));
            Interlocked.Exchange(ref _gatedUntil, _time.GetTimestamp() + (long)(backoff.TotalSeconds * _time.TimestampFrequency));
            Interlocked.Exchange(ref _backoffTicks, Math.Min(backoff.Ticks * 2, _options.ReconnectMaxBackoff.Ticks));
            Exception error = ex switch
            {
                TransportAuthenticationException => ex,
                OperationCanceledException when _disposing.IsCancellationRequested => new ObjectDisposedException(nameof(TransportClient)),
                OperationCanceledException => new TransportUnavailableException($"could not connect to {RemoteAddress} within the connect/handshake timeout", false, ex),
                _ => new TransportUnavailableException($"could not connect to {RemoteAddress}: {ex.Message}", false, ex),
            };
            if (ex is TransportAuthenticationException)
            {
                LogAuthenticationFailed(RemoteAddress, ex.Message);
            }
            else
            {
                LogConnectFailed(RemoteAddress, backoff.TotalMilliseconds, ex.Message);
            }
            attempt.TrySetException(error);
        }
    }

    private async Task<string> HandshakeAsync(TransportConnection connection, CancellationToken cancellationToken)
    {
        var (kind, _, payload) = await connection.ReadFrameAsync(Handshake.MaxHandshakeFrameBytes, cancellationToken).ConfigureAwait(false);
        if (kind != FrameKind.HandshakeChallenge)
        {
            throw new WireFormatException($"expected a handshake challenge, got {kind}");
        }
        var challenge = new WireReader(payload, _codec);
        var version = challenge.ReadUInt16();
        var serverNonce = challenge.ReadBytes(Handshake.NonceSize).ToArray();
        var serverNodeId = challenge.ReadString();
        if (version != Handshake.ProtocolVersion)
        {
            throw new TransportAuthenticationException($"{RemoteAddress} speaks protocol version {version}; this node speaks {Handshake.ProtocolVersion}");
        }

        var clientNonce = Handshake.NewNonce();
        var hello = new WireWriter(_codec);
        FrameFormat.ReserveHeader(hello);
        hello.WriteUInt16(Handshake.ProtocolVersion);
        hello.WriteString(_options.NodeId);
        hello.WriteBytes(Handshake.ClientProof(_options.ClusterSecret, serverNonce, _options.NodeId));
        hello.WriteBytes(clientNonce);
        FrameFormat.CompleteHeader(hello, FrameKind.Handshake, 0);
        await connection.WriteFrameAsync(hello, cancellationToken).ConfigureAwait(false);

        (kind, _, payload) = await connection.ReadFrameAsync(Handshake.MaxHandshakeFrameBytes, cancellationToken).ConfigureAwait(false);
        var answer = new WireReader(payload, _codec);
        switch (kind)
        {
            case FrameKind.HandshakeAck:
                var ackNodeId = answer.ReadString();
                var serverProof = answer.ReadBytes(Handshake.ProofSize);
                if (!Handshake.Verify(Handshake.ServerProof(_options.ClusterSecret, clientNonce, ackNodeId), serverProof))
                {
                    Counters.OnHandshakeRefused();
                    throw new TransportAuthenticationException($"{RemoteAddress} failed to prove it knows the cluster secret");
                }
                return ackNodeId;
            case FrameKind.HandshakeRefuse:
                Counters.OnHandshakeRefused();
                throw new TransportAuthenticationException($"{RemoteAddress} (node {serverNodeId}) refused the handshake: {answer.ReadString()}");
            default:
                throw new WireFormatException($"expected a handshake answer, got {kind}");
        }
    }

    private TransportUnavailableException Lost(Session session, bool mayHaveBeenProcessed) =>
        new($"connection to {RemoteAddress} (node {session.Connection.RemoteNodeId}) was lost", mayHaveBeenProcessed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to {RemoteAddress} (node {RemoteNodeId})")]
    private partial void LogConnected(string remoteAddress, string remoteNodeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot connect to {RemoteAddress}; requests fail fast for {BackoffMs} ms: {Reason}")]
    private partial void LogConnectFailed(string remoteAddress, double backoffMs, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handshake with {RemoteAddress} failed: {Reason}")]
    private partial void LogAuthenticationFailed(string remoteAddress, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Nothing heard from {RemoteAddress} (node {RemoteNodeId}) for {SilentMs} ms; closing the connection")]
    private partial void LogPeerSilent(string remoteAddress, string remoteNodeId, double silentMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dropping a response from {RemoteAddress} for request {CorrelationId}, which is no longer waiting")]
    private partial void LogLateResponse(string remoteAddress, long correlationId);

    /// <summary>One handshaken connection and the requests waiting on it.</summary>
    private sealed class Session(TransportClient client, TransportConnection connection) : IFrameHandler
    {
        public TransportConnection Connection { get; } = connection;

        public ConcurrentDictionary<long, TaskCompletionSource<object?>> Pending { get; } = new();

        public ValueTask OnFrameAsync(TransportConnection connection, FrameKind kind, long correlationId, ReadOnlySequence<byte> payload)
        {
            if (kind == FrameKind.Pong)
            {
                // Its arrival has already refreshed the connection's last-received time.
                return ValueTask.CompletedTask;
            }
            if (kind is not (FrameKind.Response or FrameKind.ErrorResponse))
            {
                throw new WireFormatException($"a server may not send {kind} after the handshake");
            }
            if (!Pending.TryRemove(correlationId, out var waiter))
            {
                client.LogLateResponse(client.RemoteAddress, correlationId);
                return ValueTask.CompletedTask;
            }
            // A body that does not decode fails this request only: the frame boundaries are
            // intact, so the connection and every other request on it are fine.
            try
            {
                ReadOnlySpan<byte> bytes = payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray();
                if (kind == FrameKind.Response)
                {
                    waiter.TrySetResult(client._codec.Decode(bytes));
                }
                else
                {
                    var reader = new WireReader(bytes, client._codec);
                    waiter.TrySetException(RemoteErrors.Read(ref reader, $"{client.RemoteAddress} (node {connection.RemoteNodeId})"));
                }
            }
            catch (Exception ex) when (ex is WireFormatException or UnknownMessageTypeException)
            {
                waiter.TrySetException(new RemoteFailureException(RemoteErrorKind.BadMessage, $"undecodable response from {client.RemoteAddress}: {ex.Message}"));
            }
            return ValueTask.CompletedTask;
        }

        /// <summary>
        /// Pings while the connection is quiet in either direction and closes it when the peer
        /// stays silent past the heartbeat timeout. Without this a peer that vanished without a FIN or RST (power loss,
        /// partition) would leave a connection that looks open, and every request on it would
        /// wait for its full timeout instead of failing fast and reconnecting.
        /// </summary>
        public async Task HeartbeatAsync()
        {
            var options = client._options;
            using var timer = new PeriodicTimer(options.HeartbeatInterval, client._time);
            long pings = 0;
            try
            {
                while (await timer.WaitForNextTickAsync(Connection.Closing).ConfigureAwait(false))
                {
                    var silent = Connection.SinceLastReceived;
                    if (silent >= options.HeartbeatTimeout)
                    {
                        client.LogPeerSilent(client.RemoteAddress, Connection.RemoteNodeId, silent.TotalMilliseconds);
                        Connection.Close(new TimeoutException($"nothing received for {silent.TotalMilliseconds:0} ms"));
                        return;
                    }
                    // Also when only we have been quiet: a client that just receives (a burst of
                    // slow responses) must still show the server it is alive.
                    if (silent >= options.HeartbeatInterval || Connection.SinceLastSent >= options.HeartbeatInterval)
                    {
                        var ping = new WireWriter(client._codec, FrameFormat.HeaderSize);
                        FrameFormat.ReserveHeader(ping);
                        FrameFormat.CompleteHeader(ping, FrameKind.Ping, ++pings);
                        await Connection.SendAsync(ping, Connection.Closing).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The connection closed; nothing left to watch.
            }
        }

        public void OnClosed(TransportConnection connection, Exception? reason)
        {
            foreach (var id in Pending.Keys)
            {
                if (Pending.TryRemove(id, out var waiter))
                {
                    waiter.TrySetException(new TransportUnavailableException(
                        $"connection to {client.RemoteAddress} (node {connection.RemoteNodeId}) was lost" + (reason is null ? "" : $": {reason.Message}"),
                        mayHaveBeenProcessed: true, reason));
                }
            }
        }
    }
}
