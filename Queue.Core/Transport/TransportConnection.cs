using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Queue.Core.Transport;

/// <summary>
/// One TCP connection between two nodes, the same class on the accepting and the connecting side.
/// Two phases: during the handshake its owner reads and writes frames one at a time
/// (<see cref="ReadFrameAsync"/>, <see cref="WriteFrameAsync"/>); <see cref="Start"/> then hands
/// the connection to an <see cref="IFrameHandler"/> and runs two loops:
/// <list type="bullet">
/// <item>a read loop that parses frames out of a <see cref="PipeReader"/> and passes them on;</item>
/// <item>a write loop, the only code that writes to the socket: it drains every frame queued by
/// concurrent senders into one buffer and sends it with a single call, so many small frames cost
/// one system call (write batching without a timer: under light load a frame goes out alone and
/// at once, under heavy load batches grow by themselves).</item>
/// </list>
/// No locks: senders meet the write loop in a channel, and <see cref="Close"/> is made idempotent
/// with Interlocked.
/// </summary>
public sealed partial class TransportConnection
{
    // Frames are copied into this buffer to be sent together; a larger frame is sent on its own.
    private const int BatchBufferBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly PipeReader _reader;
    private readonly Channel<WireWriter> _outbound;
    private readonly int _maxFrameBytes;
    private readonly TransportCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IFrameHandler? _handler;
    private Exception? _closeReason;
    private int _closeState;
    private int _started;
    private int _closeNotified;
    private long _lastReceivedTimestamp;
    private long _lastSentTimestamp;

    internal TransportConnection(Socket socket, int maxFrameBytes, int sendQueueCapacity, TransportCounters counters, TimeProvider time, ILogger logger)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _time = time;
        _lastReceivedTimestamp = time.GetTimestamp();
        _lastSentTimestamp = _lastReceivedTimestamp;
        _maxFrameBytes = maxFrameBytes;
        _counters = counters;
        _logger = logger;
        RemoteEndPoint = socket.RemoteEndPoint?.ToString() ?? "?";
        _reader = PipeReader.Create(new NetworkStream(socket, ownsSocket: false), new StreamPipeReaderOptions(minimumReadSize: 16 * 1024));
        // Several readers: the write loop, and Close draining what is left so pooled buffers go back.
        _outbound = Channel.CreateBounded<WireWriter>(new BoundedChannelOptions(sendQueueCapacity)
        {
            SingleReader = false,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public string RemoteEndPoint { get; }

    /// <summary>The peer's node id, once the handshake has named it.</summary>
    public string RemoteNodeId { get; internal set; } = "?";

    /// <summary>Cancelled when the connection closes.</summary>
    public CancellationToken Closing => _closing.Token;

    public bool IsClosed => Volatile.Read(ref _closeState) != 0;

    /// <summary>Time since bytes last arrived from the peer: what the client's heartbeat watches.</summary>
    public TimeSpan SinceLastReceived => _time.GetElapsedTime(Interlocked.Read(ref _lastReceivedTimestamp));

    /// <summary>Time since bytes last went to the peer: the peer's sweep watches our silence too.</summary>
    public TimeSpan SinceLastSent => _time.GetElapsedTime(Interlocked.Read(ref _lastSentTimestamp));

    /// <summary>Completes when the connection has closed and its handler has been told.</summary>
    public Task Completion => _closed.Task;

    internal int MaxFrameBytes => _maxFrameBytes;

    /// <summary>Reads one frame during the handshake, with a small size limit: the peer is not trusted yet.</summary>
    internal async ValueTask<(FrameKind Kind, long CorrelationId, byte[] Payload)> ReadFrameAsync(int maxFrameBytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (FrameFormat.TryRead(ref buffer, maxFrameBytes, out var kind, out var id, out var payload))
            {
                var bytes = payload.ToArray();
                _reader.AdvanceTo(buffer.Start);
                return (kind, id, bytes);
            }
            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new IOException("the peer closed the connection");
            }
        }
    }

    /// <summary>Writes one frame directly during the handshake, before the write loop runs.</summary>
    internal async ValueTask WriteFrameAsync(WireWriter frame, CancellationToken cancellationToken)
    {
        try
        {
            await SendAllAsync(frame.WrittenMemory, cancellationToken).ConfigureAwait(false);
            _counters.OnWrite(1, frame.WrittenCount);
        }
        finally
        {
            frame.Dispose();
        }
    }

    /// <summary>Starts the read and write loops; frames now go to <paramref name="handler"/>.</summary>
    internal void Start(IFrameHandler handler)
    {
        // The handler is set before the started flag, and Close sets its flag before reading
        // this one: whichever of the two runs second sees the other and tells the handler.
        _handler = handler;
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("connection already started");
        }
        if (IsClosed)
        {
            NotifyClosed();
            return;
        }
        _ = Task.Run(ReadLoopAsync);
        _ = Task.Run(WriteLoopAsync);
    }

    /// <summary>
    /// Queues a complete frame (built with <see cref="FrameFormat.ReserveHeader"/> and
    /// <see cref="FrameFormat.CompleteHeader"/>) for the write loop, waiting while the queue is
    /// full. Takes ownership of <paramref name="frame"/> in every case. False when the connection
    /// is closed.
    /// </summary>
    internal async ValueTask<bool> SendAsync(WireWriter frame, CancellationToken cancellationToken)
    {
        try
        {
            while (await _outbound.Writer.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
            {
                if (_outbound.Writer.TryWrite(frame))
                {
                    // Close may have drained the queue just before our write landed; drain again
                    // so the pooled buffer is not stranded.
                    if (IsClosed)
                    {
                        DrainOutbound();
                    }
                    return true;
                }
            }
        }
        catch
        {
            frame.Dispose();
            throw;
        }
        frame.Dispose();
        return false;
    }

    /// <summary>Closes the socket and fails nothing else; idempotent. <paramref name="reason"/> null = orderly.</summary>
    public void Close(Exception? reason = null)
    {
        // The reason is recorded before the flag so whoever sees the flag sees the reason.
        Interlocked.CompareExchange(ref _closeReason, reason, null);
        if (Interlocked.Exchange(ref _closeState, 1) != 0)
        {
            return;
        }
        _outbound.Writer.TryComplete();
        _closing.Cancel();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception)
        {
            // Already reset by the peer; disposing below is all that is left to do.
        }
        _socket.Dispose();
        DrainOutbound();
        LogClosed(RemoteEndPoint, RemoteNodeId, reason?.Message ?? "closed");
        // Before Start the owner is still in its handshake and sees the failure itself.
        if (Volatile.Read(ref _started) != 0)
        {
            NotifyClosed();
        }
        else
        {
            _closed.TrySetResult();
        }
    }

    /// <summary>Tells the handler about the close exactly once, whichever of Start and Close gets here first.</summary>
    private void NotifyClosed()
    {
        if (Interlocked.Exchange(ref _closeNotified, 1) != 0)
        {
            return;
        }
        try
        {
            _handler!.OnClosed(this, Volatile.Read(ref _closeReason));
        }
        finally
        {
            _closed.TrySetResult();
        }
    }

    private async Task ReadLoopAsync()
    {
        var handler = _handler!;
        Exception? failure = null;
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(_closing.Token).ConfigureAwait(false);
                // Any bytes count as a sign of life, also the first part of a large frame.
                Interlocked.Exchange(ref _lastReceivedTimestamp, _time.GetTimestamp());
                var buffer = result.Buffer;
                try
                {
                    while (FrameFormat.TryRead(ref buffer, _maxFrameBytes, out var kind, out var id, out var payload))
                    {
                        _counters.OnFrameReceived();
                        await handler.OnFrameAsync(this, kind, id, payload).ConfigureAwait(false);
                    }
                }
                finally
                {
                    _reader.AdvanceTo(buffer.Start, buffer.End);
                }
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (WireFormatException ex)
        {
            // The byte stream can no longer be split into frames we trust: drop this connection,
            // and only this one.
            _counters.OnProtocolError();
            LogMalformed(RemoteEndPoint, RemoteNodeId, ex.Message);
            failure = ex;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            failure = ex;
        }
        catch (Exception ex)
        {
            LogReadLoopFailed(RemoteEndPoint, ex);
            failure = ex;
        }
        finally
        {
            await _reader.CompleteAsync().ConfigureAwait(false);
        }
        Close(failure ?? new IOException("the peer closed the connection"));
    }

    private async Task WriteLoopAsync()
    {
        var batch = ArrayPool<byte>.Shared.Rent(BatchBufferBytes);
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_closing.Token).ConfigureAwait(false))
            {
                var used = 0;
                var frames = 0;
                while (reader.TryRead(out var frame))
                {
                    using (frame)
                    {
                        var length = frame.WrittenCount;
                        if (length > batch.Length - used && used > 0)
                        {
                            await SendBatchAsync(batch, used, frames).ConfigureAwait(false);
                            used = 0;
                            frames = 0;
                        }
                        if (length > batch.Length)
                        {
                            await SendAllAsync(frame.WrittenMemory, _closing.Token).ConfigureAwait(false);
                            _counters.OnWrite(1, length);
                            continue;
                        }
                        frame.WrittenSpan.CopyTo(batch.AsSpan(used));
                        used += length;
                        frames++;
                    }
                }
                if (used > 0)
                {
                    await SendBatchAsync(batch, used, frames).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            Close(ex);
        }
        catch (Exception ex)
        {
            LogWriteLoopFailed(RemoteEndPoint, ex);
            Close(ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(batch);
        }
    }

    private async ValueTask SendBatchAsync(byte[] batch, int used, int frames)
    {
        await SendAllAsync(batch.AsMemory(0, used), _closing.Token).ConfigureAwait(false);
        _counters.OnWrite(frames, used);
    }

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
        Interlocked.Exchange(ref _lastSentTimestamp, _time.GetTimestamp());
    }

    private void DrainOutbound()
    {
        while (_outbound.Reader.TryRead(out var frame))
        {
            frame.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing connection with {RemoteEndPoint} (node {RemoteNodeId}): malformed frame: {Reason}")]
    private partial void LogMalformed(string remoteEndPoint, string remoteNodeId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection with {RemoteEndPoint} (node {RemoteNodeId}) closed: {Reason}")]
    private partial void LogClosed(string remoteEndPoint, string remoteNodeId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Read loop for {RemoteEndPoint} failed")]
    private partial void LogReadLoopFailed(string remoteEndPoint, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Write loop for {RemoteEndPoint} failed")]
    private partial void LogWriteLoopFailed(string remoteEndPoint, Exception error);
}
