namespace Queue.Core.Configuration;

/// <summary>queue.transport: the node-to-node TCP transport.</summary>
public sealed record TransportSettings
{
    public int MaxFrameBytes { get; init; } = 16 * 1024 * 1024;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan ReconnectMinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan ReconnectMaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    public int MaxInFlightPerConnection { get; init; } = 1024;

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
