namespace Queue.Core.Configuration;

/// <summary>queue.http: the HTTP API.</summary>
public sealed record HttpSettings
{
    public int Port { get; init; } = 8001;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a /v1 request waits for room in a full partition mailbox before it gets 429.</summary>
    public TimeSpan MailboxWait { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest long-poll wait (wait_ms) a /v1 fetch may ask for.</summary>
    public TimeSpan MaxPollWait { get; init; } = TimeSpan.FromSeconds(30);
}
