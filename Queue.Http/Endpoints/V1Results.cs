using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Queue.Core.Diagnostics;
using Queue.Core.Edge;
using Queue.Http.Contracts;

namespace Queue.Http.Endpoints;

/// <summary>
/// Runs a /v1 handler and turns failures into <c>{"error":{"code","message"}}</c> with the status
/// the failure deserves (docs/api-v1.md lists them). Retryable failures carry Retry-After.
/// </summary>
public static partial class V1Results
{
    internal static async Task<IResult> Run(HttpContext http, Func<CancellationToken, Task<IResult>> handler)
    {
        var cancellationToken = http.RequestAborted;
        try
        {
            return await handler(cancellationToken);
        }
        catch (QueueException ex)
        {
            return Fail(http, ex.Kind, ex.Message);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own refusals, e.g. 413 for a body over the request size limit.
            return Fail(ex.StatusCode, ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "too_large" : "bad_request", ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Results.Empty;
        }
        catch (Exception ex)
        {
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Queue.Http.V1Api");
            LogUnexpected(logger, http.Request.Method, http.Request.Path, ex);
            return Fail(StatusCodes.Status500InternalServerError, "internal", "Internal error; see the node's log");
        }
    }

    public static IResult Fail(HttpContext http, QueueErrorKind kind, string message)
    {
        var (status, code) = kind switch
        {
            QueueErrorKind.NotFound => (StatusCodes.Status404NotFound, "not_found"),
            QueueErrorKind.Conflict => (StatusCodes.Status409Conflict, "conflict"),
            QueueErrorKind.TooLarge => (StatusCodes.Status413PayloadTooLarge, "too_large"),
            QueueErrorKind.Overloaded => (StatusCodes.Status429TooManyRequests, "overloaded"),
            QueueErrorKind.Unavailable => (StatusCodes.Status503ServiceUnavailable, "unavailable"),
            _ => (StatusCodes.Status400BadRequest, "bad_request"),
        };
        if (status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
        {
            // One second: long enough for a group commit or a restart back-off to pass, short
            // enough that a client honouring it loses little. Clients add their own jitter.
            http.Response.Headers.RetryAfter = "1";
            QueueMetrics.Refused(code);
        }
        return Fail(status, code, message);
    }

    public static IResult Fail(int status, string code, string message) =>
        Results.Json(new V1ErrorResponse(new V1Error(code, message)), V1Json.Context.V1ErrorResponse, statusCode: status);

    /// <summary>Reads a JSON body; a missing or malformed one is the client's mistake (400).</summary>
    internal static async Task<T> ReadBodyAsync<T>(HttpRequest request, JsonTypeInfo<T> type, CancellationToken cancellationToken) where T : class
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
        {
            throw Bad("The request needs a JSON body");
        }
        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, type, cancellationToken)
                ?? throw Bad("The request body must be a JSON object, not null");
        }
        catch (JsonException ex)
        {
            throw Bad($"Malformed JSON body: {ex.Message}");
        }
    }

    internal static long? QueryLong(HttpRequest request, string name)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Bad($"Query parameter '{name}' must be an integer, got '{text}'");
    }

    internal static QueueException Bad(string message) => new(QueueErrorKind.BadRequest, message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure in {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, string method, string path, Exception error);
}
