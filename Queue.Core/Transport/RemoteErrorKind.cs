namespace Queue.Core.Transport;

/// <summary>What an error-response frame says went wrong. Part of the wire protocol: only add.</summary>
public enum RemoteErrorKind : byte
{
    /// <summary>A <see cref="Edge.QueueException"/>; its <see cref="Edge.QueueErrorKind"/> travels with it.</summary>
    Queue = 1,

    /// <summary>The peer cannot serve this now (journal down, actor restarting, ask timed out). Retryable.</summary>
    Unavailable = 2,

    /// <summary>The peer is not the owner of the addressed partition. Refresh routing, then retry.</summary>
    NotOwner = 3,

    /// <summary>The peer could not decode the request (unknown type id or malformed body). Permanent.</summary>
    BadMessage = 4,

    /// <summary>The handler failed unexpectedly. Permanent.</summary>
    Internal = 5,
}
