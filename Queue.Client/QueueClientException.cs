namespace Queue.Client;

/// <summary>The base of every failure the SDK reports. <see cref="IsRetryable"/> says whether trying again later may succeed.</summary>
public class QueueClientException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    public QueueClientException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }

    /// <summary>True when the failure is transient (server overloaded or unavailable, connection lost).</summary>
    public virtual bool IsRetryable => false;
}
