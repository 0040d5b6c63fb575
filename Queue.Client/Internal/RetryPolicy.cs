namespace Queue.Client.Internal;

/// <summary>
/// Retries a request that failed retryably (429, 503, connection lost, timeout) with exponential
/// back-off and jitter, honouring the server's Retry-After up to the maximum delay. Only
/// requests that are safe to repeat come through here: produce carries a sequence number, commit
/// sets rather than moves a position, reads change nothing.
/// </summary>
internal sealed class RetryPolicy(int maxRetries, TimeSpan baseDelay, TimeSpan maxDelay)
{
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> request, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await request(cancellationToken);
            }
            catch (QueueClientException ex) when (ex.IsRetryable && attempt < maxRetries)
            {
                await Task.Delay(DelayFor(attempt, (ex as QueueRequestException)?.RetryAfter), cancellationToken);
            }
        }
    }

    internal TimeSpan DelayFor(int attempt, TimeSpan? retryAfter)
    {
        var ceiling = Math.Min(baseDelay.TotalMilliseconds * Math.Pow(2, attempt), maxDelay.TotalMilliseconds);
        // Half fixed, half random: clients that failed together do not all come back together,
        // yet each still backs off at least half the exponential step.
        var delay = ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2;
        if (retryAfter is { } asked)
        {
            delay = Math.Max(delay, Math.Min(asked.TotalMilliseconds, maxDelay.TotalMilliseconds));
        }
        return TimeSpan.FromMilliseconds(delay);
    }
}
