namespace Queue.Core.Transport;

/// <summary>
/// Running totals for one client or server across all its connections, updated with Interlocked
/// by the connection loops. <see cref="FramesSent"/> / <see cref="SocketWrites"/> is the write
/// batching factor: how many frames one send system call carried on average.
/// </summary>
public sealed class TransportCounters
{
    private long _framesSent;
    private long _socketWrites;
    private long _bytesSent;
    private long _framesReceived;
    private long _connectionsOpened;
    private long _protocolErrors;
    private long _handshakesRefused;

    public long FramesSent => Interlocked.Read(ref _framesSent);

    public long SocketWrites => Interlocked.Read(ref _socketWrites);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long FramesReceived => Interlocked.Read(ref _framesReceived);

    /// <summary>Connections that completed the handshake.</summary>
    public long ConnectionsOpened => Interlocked.Read(ref _connectionsOpened);

    /// <summary>Connections closed because a peer sent a malformed, oversized or unexpected frame.</summary>
    public long ProtocolErrors => Interlocked.Read(ref _protocolErrors);

    /// <summary>Handshakes this side refused or that were refused to it.</summary>
    public long HandshakesRefused => Interlocked.Read(ref _handshakesRefused);

    internal void OnWrite(int frames, int bytes)
    {
        Interlocked.Add(ref _framesSent, frames);
        Interlocked.Increment(ref _socketWrites);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    internal void OnFrameReceived() => Interlocked.Increment(ref _framesReceived);

    internal void OnConnectionOpened() => Interlocked.Increment(ref _connectionsOpened);

    internal void OnProtocolError() => Interlocked.Increment(ref _protocolErrors);

    internal void OnHandshakeRefused() => Interlocked.Increment(ref _handshakesRefused);

    public override string ToString() =>
        $"frames sent {FramesSent} in {SocketWrites} writes ({(SocketWrites == 0 ? 0 : (double)FramesSent / SocketWrites):0.0} per write), " +
        $"frames received {FramesReceived}, connections {ConnectionsOpened}, protocol errors {ProtocolErrors}, refused {HandshakesRefused}";
}
