namespace Queue.Client;

/// <summary>The server could not be reached, or did not answer in time, even after the configured retries.</summary>
/// <param name="message">What was attempted and for how long.</param>
/// <param name="innerException">The last connection error or timeout.</param>
public sealed class QueueUnavailableException(string message, Exception? innerException = null)
    : QueueClientException(message, innerException)
{
    /// <summary>Always true: the server may be back later.</summary>
    public override bool IsRetryable => true;
}
