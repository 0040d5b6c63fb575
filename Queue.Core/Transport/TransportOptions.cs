using Queue.Core.Configuration;

namespace Queue.Core.Transport;

/// <summary>Everything the transport's client and server need to know, validated once.</summary>
public sealed record TransportOptions
{
    /// <summary>This node's name, sent to peers in the handshake and shown in their logs.</summary>
    public string NodeId { get; init; } = "";

    public string ClusterSecret { get; init; } = "";

    /// <summary>Permits an empty <see cref="ClusterSecret"/>; queue.node.insecure-dev.</summary>
    public bool AllowInsecure { get; init; }

    public int MaxFrameBytes { get; init; } = 16 * 1024 * 1024;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan ReconnectMinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan ReconnectMaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    public int MaxInFlightPerConnection { get; init; } = 1024;

    /// <summary>A client pings a connection that has been quiet this long.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A client closes a connection on which nothing has arrived for this long (half-open or hung peer).</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Frames queued for one connection's writer before senders wait (back-pressure).</summary>
    public int SendQueueCapacity { get; init; } = 8192;

    public bool IsInsecure => ClusterSecret.Length == 0;

    public static TransportOptions FromSettings(QueueSettings settings) => new()
    {
        NodeId = settings.Node.NodeId,
        ClusterSecret = settings.Node.ClusterSecret,
        AllowInsecure = settings.Node.InsecureDev,
        MaxFrameBytes = settings.Transport.MaxFrameBytes,
        ConnectTimeout = settings.Transport.ConnectTimeout,
        HandshakeTimeout = settings.Transport.HandshakeTimeout,
        RequestTimeout = settings.Transport.RequestTimeout,
        ReconnectMinBackoff = settings.Transport.ReconnectMinBackoff,
        ReconnectMaxBackoff = settings.Transport.ReconnectMaxBackoff,
        MaxInFlightPerConnection = settings.Transport.MaxInFlightPerConnection,
        HeartbeatInterval = settings.Transport.HeartbeatInterval,
        HeartbeatTimeout = settings.Transport.HeartbeatTimeout,
    };

    /// <exception cref="InvalidOperationException">
    /// No cluster secret and insecure mode not allowed: a clustered node must not start like that,
    /// since anyone who reaches its port could then write to its partitions.
    /// </exception>
    public TransportOptions Validate()
    {
        if (IsInsecure && !AllowInsecure)
        {
            throw new InvalidOperationException(
                "The node transport needs a cluster secret: set queue.node.cluster-secret (--cluster-secret, QUEUE_CLUSTER_SECRET) " +
                "on every node, or set queue.node.insecure-dev = on for local development only.");
        }
        if (MaxFrameBytes < Handshake.MaxHandshakeFrameBytes)
        {
            throw new InvalidOperationException($"max frame size {MaxFrameBytes} is below the {Handshake.MaxHandshakeFrameBytes}-byte minimum");
        }
        if (ConnectTimeout <= TimeSpan.Zero || HandshakeTimeout <= TimeSpan.Zero || RequestTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("transport timeouts must be positive");
        }
        if (HeartbeatInterval <= TimeSpan.Zero || HeartbeatTimeout <= HeartbeatInterval)
        {
            throw new InvalidOperationException("heartbeat interval must be positive and shorter than the heartbeat timeout");
        }
        if (ReconnectMinBackoff <= TimeSpan.Zero || ReconnectMaxBackoff < ReconnectMinBackoff)
        {
            throw new InvalidOperationException("reconnect back-off must be positive and min <= max");
        }
        if (MaxInFlightPerConnection < 1 || SendQueueCapacity < 1)
        {
            throw new InvalidOperationException("in-flight and send-queue limits must be at least 1");
        }
        return this;
    }
}
