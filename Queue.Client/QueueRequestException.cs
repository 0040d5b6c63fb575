using System.Net;

namespace Queue.Client;

/// <summary>
/// The server refused a request. <see cref="Exception.Message"/> is the server's own explanation;
/// <see cref="StatusCode"/> and <see cref="ErrorCode"/> say what kind of refusal it was.
/// </summary>
public class QueueRequestException : QueueClientException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="statusCode">The HTTP status the server answered with.</param>
    /// <param name="errorCode">The server's machine-readable code (<c>not_found</c>, <c>conflict</c>, ...), if it sent one.</param>
    /// <param name="message">The server's message.</param>
    /// <param name="retryAfter">The server's Retry-After, if it sent one.</param>
    public QueueRequestException(HttpStatusCode statusCode, string? errorCode, string message, TimeSpan? retryAfter = null)
        : base(message)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status the server answered with.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The server's machine-readable error code, if any.</summary>
    public string? ErrorCode { get; }

    /// <summary>How long the server asked the client to wait before retrying, if it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>True for 429 (partition overloaded) and 502/503/504 (unavailable right now).</summary>
    public override bool IsRetryable => StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
        or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout;
}
