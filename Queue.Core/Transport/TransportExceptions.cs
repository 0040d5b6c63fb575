namespace Queue.Core.Transport;

// Exceptions a caller of the transport sees. RemoteErrors.AdviceFor sorts them (and the exceptions
// that arrive from a peer) into "retry", "refresh routing, then retry" and "do not retry".

/// <summary>
/// The peer cannot be reached, the connection was lost, or no answer came in time. Retryable.
/// When <see cref="MayHaveBeenProcessed"/> is true the request left this node, so the peer may
/// have acted on it: only retry requests whose repetition is harmless or detected.
/// </summary>
public sealed class TransportUnavailableException(string message, bool mayHaveBeenProcessed, Exception? inner = null)
    : Exception(message, inner)
{
    public bool MayHaveBeenProcessed { get; } = mayHaveBeenProcessed;
}

/// <summary>
/// The peer does not own what the request addressed (for instance a partition that has moved, or
/// whose journal write was fenced by a newer epoch). Nothing was changed: refresh routing, retry.
/// Node handlers throw it; it crosses the wire with its kind.
/// </summary>
public sealed class NotOwnerException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The peer failed in a way retrying will not fix: a bug in its handler, or a message it cannot
/// decode (a protocol mismatch between versions).
/// </summary>
public sealed class RemoteFailureException(RemoteErrorKind kind, string message) : Exception(message)
{
    public RemoteErrorKind Kind { get; } = kind;
}

/// <summary>
/// The handshake failed: the peer refused our proof of the cluster secret, or failed to prove it
/// knows the secret itself. A configuration error, not retryable until the configuration changes.
/// </summary>
public sealed class TransportAuthenticationException(string message) : Exception(message);

/// <summary>
/// Bytes that are not a valid frame or message. Closes the connection they came on (framing
/// can no longer be trusted), or, inside one well-framed message, fails only that message.
/// </summary>
public sealed class WireFormatException(string message) : Exception(message);

/// <summary>A message whose type id has no registered codec (a newer peer, or a missing registration).</summary>
public sealed class UnknownMessageTypeException(string message) : Exception(message);
