namespace Queue.Core.Configuration;

/// <summary>queue.http: the HTTP API.</summary>
public sealed record HttpSettings
{
    public int Port { get; init; } = 8001;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
