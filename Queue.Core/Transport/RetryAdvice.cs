namespace Queue.Core.Transport;

/// <summary>What a caller should do about a failed remote request.</summary>
public enum RetryAdvice
{
    /// <summary>Retrying the same request will fail the same way.</summary>
    DoNotRetry,

    /// <summary>Retry, after a pause, against the same target.</summary>
    Retry,

    /// <summary>The target no longer owns the partition: look up the owner again, then retry there.</summary>
    RefreshRoutingAndRetry,
}
