using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Queue.Core.Transport;

/// <summary>Answers one request from a peer; null is a valid answer.</summary>
public delegate ValueTask<object?> RequestHandler(object message, CancellationToken cancellationToken);

/// <summary>
/// Accepts connections from peers, authenticates them (see <see cref="Handshake"/>) and hands
/// every request to one injected <see cref="RequestHandler"/>. Requests of a connection run
/// concurrently, up to <see cref="TransportOptions.MaxInFlightPerConnection"/>, and responses go
/// back as each completes, in any order: one slow request never holds up the others. A handler's
/// exception becomes an error response (see <see cref="RemoteErrors"/>), never a closed connection.
/// </summary>
public sealed partial class TransportServer : IAsyncDisposable
{
    private readonly TransportOptions _options;
    private readonly MessageCodec _codec;
    private readonly RequestHandler _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<TransportConnection, Task> _connections = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private Task _silenceSweep = Task.CompletedTask;
    private int _stopped;

    public TransportServer(TransportOptions options, MessageCodec codec, RequestHandler handler, ILogger<TransportServer>? logger = null)
    {
        _options = options;
        _codec = codec;
        _handler = handler;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Where the server listens, once started (the real port when started with port 0).</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    public TransportCounters Counters { get; } = new();

    /// <summary>Authenticated connections currently open.</summary>
    public int ConnectionCount => _connections.Count;

    /// <exception cref="InvalidOperationException">No cluster secret and insecure mode not allowed.</exception>
    public async Task StartAsync(string host, int port, CancellationToken cancellationToken)
    {
        // Validated here rather than in the constructor: refusing to *start* is the contract.
        _options.Validate();
        var address = IPAddress.TryParse(host, out var parsed)
            ? parsed
            : (await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false))[0];
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(address, port));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        if (_options.IsInsecure)
        {
            LogInsecure(LocalEndPoint.ToString());
        }
        LogListening(LocalEndPoint.ToString(), _options.NodeId);
        _acceptLoop = Task.Run(AcceptLoopAsync, CancellationToken.None);
        _silenceSweep = Task.Run(SweepSilentConnectionsAsync, CancellationToken.None);
    }

    /// <summary>Stops accepting, closes every connection (pending requests on them fail at their callers), waits for the loops.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }
        _stopping.Cancel();
        _listener?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        await _silenceSweep.ConfigureAwait(false);
        foreach (var connection in _connections.Keys)
        {
            connection.Close();
        }
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                // Per-connection trouble (the peer reset before we accepted); keep accepting.
                LogAcceptFailed(ex.Message);
                continue;
            }
            var connection = new TransportConnection(socket, _options.MaxFrameBytes, _options.SendQueueCapacity, Counters, TimeProvider.System, _logger);
            var served = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[connection] = served.Task;
            _ = ServeAsync(connection, served);
        }
    }

    private async Task ServeAsync(TransportConnection connection, TaskCompletionSource served)
    {
        try
        {
            if (_stopping.IsCancellationRequested)
            {
                connection.Close();
                return;
            }
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
            {
                timeout.CancelAfter(_options.HandshakeTimeout);
                if (!await HandshakeAsync(connection, timeout.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            Counters.OnConnectionOpened();
            LogAccepted(connection.RemoteEndPoint, connection.RemoteNodeId);
            connection.Start(new Inbound(this));
            await connection.Completion.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogHandshakeFailed(connection.RemoteEndPoint, ex.Message);
            connection.Close(ex);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            served.TrySetResult();
        }
    }

    /// <summary>
    /// Closes connections on which nothing has arrived for the heartbeat timeout. Clients ping
    /// every heartbeat interval while idle, so silence means the client's host or process is gone
    /// without closing (power loss, partition); without this sweep such half-open connections
    /// would hold their slot and buffers until TCP gives up, which can take hours.
    /// </summary>
    private async Task SweepSilentConnectionsAsync()
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                foreach (var connection in _connections.Keys)
                {
                    var silent = connection.SinceLastReceived;
                    if (silent >= _options.HeartbeatTimeout && !connection.IsClosed)
                    {
                        LogClientSilent(connection.RemoteEndPoint, connection.RemoteNodeId, silent.TotalMilliseconds);
                        connection.Close(new TimeoutException($"nothing received for {silent.TotalMilliseconds:0} ms"));
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>False (and the connection closed) when the peer is refused.</summary>
    private async Task<bool> HandshakeAsync(TransportConnection connection, CancellationToken cancellationToken)
    {
        var serverNonce = Handshake.NewNonce();
        var challenge = new WireWriter(_codec);
        FrameFormat.ReserveHeader(challenge);
        challenge.WriteUInt16(Handshake.ProtocolVersion);
        challenge.WriteBytes(serverNonce);
        challenge.WriteString(_options.NodeId);
        FrameFormat.CompleteHeader(challenge, FrameKind.HandshakeChallenge, 0);
        await connection.WriteFrameAsync(challenge, cancellationToken).ConfigureAwait(false);

        var (kind, _, payload) = await connection.ReadFrameAsync(Handshake.MaxHandshakeFrameBytes, cancellationToken).ConfigureAwait(false);
        if (kind != FrameKind.Handshake)
        {
            throw new WireFormatException($"expected a handshake, got {kind}");
        }
        var hello = new WireReader(payload, _codec);
        var version = hello.ReadUInt16();
        var clientNodeId = hello.ReadString();
        var proof = hello.ReadBytes(Handshake.ProofSize);
        var clientNonce = hello.ReadBytes(Handshake.NonceSize).ToArray();
        connection.RemoteNodeId = clientNodeId;

        string? refusal = null;
        if (version != Handshake.ProtocolVersion)
        {
            refusal = $"unsupported protocol version {version} (this node speaks {Handshake.ProtocolVersion})";
        }
        else if (!Handshake.Verify(Handshake.ClientProof(_options.ClusterSecret, serverNonce, clientNodeId), proof))
        {
            // Says no more than that: telling a prober why would only help it.
            refusal = "authentication failed: wrong or missing cluster secret";
        }
        if (refusal is not null)
        {
            Counters.OnHandshakeRefused();
            LogRefused(connection.RemoteEndPoint, clientNodeId, refusal);
            var refuse = new WireWriter(_codec);
            FrameFormat.ReserveHeader(refuse);
            refuse.WriteString(refusal);
            FrameFormat.CompleteHeader(refuse, FrameKind.HandshakeRefuse, 0);
            try
            {
                await connection.WriteFrameAsync(refuse, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                connection.Close(new TransportAuthenticationException(refusal));
            }
            return false;
        }

        var ack = new WireWriter(_codec);
        FrameFormat.ReserveHeader(ack);
        ack.WriteString(_options.NodeId);
        ack.WriteBytes(Handshake.ServerProof(_options.ClusterSecret, clientNonce, _options.NodeId));
        FrameFormat.CompleteHeader(ack, FrameKind.HandshakeAck, 0);
        await connection.WriteFrameAsync(ack, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task HandleAsync(TransportConnection connection, long correlationId, object message, bool oneWay, SemaphoreSlim inFlight)
    {
        WireWriter? frame = null;
        try
        {
            object? reply;
            try
            {
                reply = await _handler(message, connection.Closing).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                if (RemoteErrors.Describe(ex).Kind == RemoteErrorKind.Internal)
                {
                    LogHandlerFailed(message.GetType().Name, connection.RemoteNodeId, ex);
                }
                if (oneWay)
                {
                    return;
                }
                frame = ErrorFrame(correlationId, ex);
                await connection.SendAsync(frame, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            if (oneWay)
            {
                return;
            }
            frame = new WireWriter(_codec);
            FrameFormat.ReserveHeader(frame);
            try
            {
                _codec.Write(frame, reply);
                if (frame.WrittenCount > _options.MaxFrameBytes)
                {
                    throw new Edge.QueueException(Edge.QueueErrorKind.TooLarge,
                        $"the response of {frame.WrittenCount} bytes exceeds the transport frame limit of {_options.MaxFrameBytes}; ask for less");
                }
                FrameFormat.CompleteHeader(frame, FrameKind.Response, correlationId);
            }
            catch (Exception ex)
            {
                frame.Dispose();
                LogHandlerFailed(message.GetType().Name, connection.RemoteNodeId, ex);
                frame = ErrorFrame(correlationId, ex);
            }
            // SendAsync owns the frame from here on, also when the connection has closed meanwhile.
            await connection.SendAsync(frame, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogResponseFailed(connection.RemoteEndPoint, ex.Message);
        }
        finally
        {
            inFlight.Release();
        }
    }

    private WireWriter EmptyFrame(FrameKind kind, long correlationId)
    {
        var frame = new WireWriter(_codec, FrameFormat.HeaderSize);
        FrameFormat.ReserveHeader(frame);
        FrameFormat.CompleteHeader(frame, kind, correlationId);
        return frame;
    }

    private WireWriter ErrorFrame(long correlationId, Exception error)
    {
        var frame = new WireWriter(_codec);
        FrameFormat.ReserveHeader(frame);
        RemoteErrors.Write(frame, error);
        FrameFormat.CompleteHeader(frame, FrameKind.ErrorResponse, correlationId);
        return frame;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node transport listening on {EndPoint} as node {NodeId}")]
    private partial void LogListening(string endPoint, string nodeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node transport on {EndPoint} runs WITHOUT a cluster secret (queue.node.insecure-dev = on): any host that reaches this port is trusted")]
    private partial void LogInsecure(string endPoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Accepted node {RemoteNodeId} from {RemoteEndPoint}")]
    private partial void LogAccepted(string remoteEndPoint, string remoteNodeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused connection from {RemoteEndPoint} claiming node id {ClaimedNodeId}: {Reason}")]
    private partial void LogRefused(string remoteEndPoint, string claimedNodeId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handshake with {RemoteEndPoint} failed: {Reason}")]
    private partial void LogHandshakeFailed(string remoteEndPoint, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Accept failed: {Reason}")]
    private partial void LogAcceptFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Nothing heard from {RemoteEndPoint} (node {RemoteNodeId}) for {SilentMs} ms; closing the connection")]
    private partial void LogClientSilent(string remoteEndPoint, string remoteNodeId, double silentMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handler failed on {MessageType} from node {RemoteNodeId}")]
    private partial void LogHandlerFailed(string messageType, string remoteNodeId, Exception error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not send a response to {RemoteEndPoint}: {Reason}")]
    private partial void LogResponseFailed(string remoteEndPoint, string reason);

    /// <summary>The server's side of one authenticated connection.</summary>
    private sealed class Inbound(TransportServer server) : IFrameHandler
    {
        // Bounds the requests of this connection in progress at once; waiting for a slot pauses
        // the read loop, which is how a flooding peer gets back-pressure instead of unbounded tasks.
        private readonly SemaphoreSlim _inFlight = new(server._options.MaxInFlightPerConnection);

        public async ValueTask OnFrameAsync(TransportConnection connection, FrameKind kind, long correlationId, ReadOnlySequence<byte> payload)
        {
            if (kind == FrameKind.Ping)
            {
                // Answered from the read loop: a pong says the connection and this node are alive,
                // not that any handler has finished.
                await connection.SendAsync(server.EmptyFrame(FrameKind.Pong, correlationId), connection.Closing).ConfigureAwait(false);
                return;
            }
            if (kind is not (FrameKind.Request or FrameKind.OneWay))
            {
                throw new WireFormatException($"a client may not send {kind} after the handshake");
            }
            object message;
            try
            {
                ReadOnlySpan<byte> bytes = payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray();
                message = server._codec.Decode(bytes) ?? throw new WireFormatException("a request must carry a message");
            }
            catch (Exception ex) when (ex is WireFormatException or UnknownMessageTypeException)
            {
                // The frame was well delimited, so only this request is bad: answer it, keep the
                // connection.
                if (kind == FrameKind.Request)
                {
                    await connection.SendAsync(server.ErrorFrame(correlationId, ex), connection.Closing).ConfigureAwait(false);
                }
                return;
            }
            await _inFlight.WaitAsync(connection.Closing).ConfigureAwait(false);
            // Off the read loop: a handler that runs synchronously for a while must not stop this
            // connection's other requests from being read.
            _ = Task.Run(() => server.HandleAsync(connection, correlationId, message, kind == FrameKind.OneWay, _inFlight));
        }

        public void OnClosed(TransportConnection connection, Exception? reason)
        {
            // In-flight handlers see connection.Closing and their responses are dropped by the
            // closed connection; the semaphore is left to them and garbage collected afterwards.
        }
    }
}
