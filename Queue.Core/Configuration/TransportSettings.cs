namespace Queue.Core.Configuration;

/// <summary>
/// The old node-to-node TCP transport. No longer configurable (queue.transport.* was removed:
/// Akka.Remote replaces it, see akka.remote in hocon/akka.conf); kept with its defaults, unbound,
/// only so Queue.Core/Transport compiles until it is deleted.
/// </summary>
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
