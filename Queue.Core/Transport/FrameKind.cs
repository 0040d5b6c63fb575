namespace Queue.Core.Transport;

/// <summary>
/// The byte after a frame's length prefix. Values are part of the wire protocol: never renumber,
/// only add.
/// </summary>
public enum FrameKind : byte
{
    /// <summary>Server → client, first frame on a connection: protocol version, server node id, nonce.</summary>
    HandshakeChallenge = 1,

    /// <summary>Client → server: version, client node id, proof of the secret, client nonce.</summary>
    Handshake = 2,

    /// <summary>Server → client: accepted; carries the server's own proof (mutual authentication).</summary>
    HandshakeAck = 3,

    /// <summary>Server → client: refused, with a reason; the server closes the connection after it.</summary>
    HandshakeRefuse = 4,

    /// <summary>A message that expects a response with the same correlation id.</summary>
    Request = 5,

    Response = 6,

    /// <summary>The handler failed: error kind, queue error kind, message.</summary>
    ErrorResponse = 7,

    /// <summary>A message that expects no answer (Akka's Tell); correlation id 0.</summary>
    OneWay = 8,

    /// <summary>Client → server when the connection has been quiet: proves the peer is still there.</summary>
    Ping = 9,

    /// <summary>Server → client, answering a ping with its correlation id; no payload.</summary>
    Pong = 10,
}
