using System.Net;

namespace Queue.Client;

/// <summary>409: the request contradicts the server's state (topic exists, offset outside the log, stale sequence number).</summary>
/// <param name="errorCode">The server's error code.</param>
/// <param name="message">The server's message.</param>
public sealed class QueueConflictException(string? errorCode, string message)
    : QueueRequestException(HttpStatusCode.Conflict, errorCode, message);
