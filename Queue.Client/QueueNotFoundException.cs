using System.Net;

namespace Queue.Client;

/// <summary>404: the topic, partition, producer or consumer does not exist.</summary>
/// <param name="errorCode">The server's error code.</param>
/// <param name="message">The server's message, naming what was not found.</param>
public sealed class QueueNotFoundException(string? errorCode, string message)
    : QueueRequestException(HttpStatusCode.NotFound, errorCode, message);
