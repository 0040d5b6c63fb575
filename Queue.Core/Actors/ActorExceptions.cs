namespace Queue.Core.Actors;

/// <summary>An ask got no reply in time. The message may still be processed later.</summary>
public sealed class AskTimeoutException(string path, TimeSpan timeout)
    : TimeoutException($"No reply from {path} within {timeout.TotalMilliseconds:0} ms.")
{
    public string Path { get; } = path;
}

/// <summary>The actor is stopped (shut down or idle-stopped); the sender may look it up again.</summary>
public sealed class ActorStoppedException(string path) : InvalidOperationException($"Actor {path} is stopped.");

/// <summary>
/// The actor could not (re)start, for instance because its journal is unreachable. Retryable:
/// the next message after the back-off tries the start again.
/// </summary>
public sealed class ActorUnavailableException(string path, Exception cause)
    : Exception($"Actor {path} is unavailable: {cause.Message}", cause);
