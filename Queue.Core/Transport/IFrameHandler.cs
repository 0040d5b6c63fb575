using System.Buffers;

namespace Queue.Core.Transport;

/// <summary>
/// What one side of the protocol does with the frames of an established connection. The
/// connection owns the socket and the loops; a handler never sees the socket (the way garnet's
/// sessions sit behind its network handler), so client and server share one connection class.
/// </summary>
internal interface IFrameHandler
{
    /// <summary>
    /// Handles one frame. <paramref name="payload"/> is valid only until the returned task
    /// completes; decode it before going asynchronous. Throwing <see cref="WireFormatException"/>
    /// closes the connection. The read loop waits for the task, so a handler that waits here
    /// (for an in-flight slot, say) pauses reading: TCP back-pressure on the peer.
    /// </summary>
    ValueTask OnFrameAsync(TransportConnection connection, FrameKind kind, long correlationId, ReadOnlySequence<byte> payload);

    /// <summary>Runs once when the connection has closed, for whatever reason.</summary>
    void OnClosed(TransportConnection connection, Exception? reason);
}
