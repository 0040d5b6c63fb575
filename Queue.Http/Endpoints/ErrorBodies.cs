using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Queue.Http.Endpoints;

/// <summary>
/// Gives every error answered inside the pipeline a JSON body: the seeds' failure shape, or the
/// /v1 error shape on /v1 paths. Our handlers already answer so; this catches the rest, which
/// ASP.NET answers with an empty body (a routing 405, a binding 400 or 415, a body Kestrel
/// refuses with 413 outside our handlers, an unhandled exception's 500).
/// </summary>
/// <remarks>
/// Kestrel rejects some requests before any middleware runs (a malformed request target such as
/// <c>/topics/%00</c> is 400, a request line over its limit 414, headers over theirs 431); those
/// keep Kestrel's empty body, because Kestrel has no hook to give them one (docs/api-v1.md, Errors).
/// </remarks>
public static partial class ErrorBodies
{
    public static IApplicationBuilder UseJsonErrorBodies(this IApplicationBuilder app) => app.Use(InvokeAsync);

    /// <summary>The failure in the shape the request's path calls for.</summary>
    public static IResult Fail(HttpContext http, int status, string message) =>
        IsV1(http.Request.Path) ? V1Results.Fail(status, V1Code(status), message) : SeedResults.Fail(status, message);

    private static async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        IResult? failure = null;
        try
        {
            await next(http);
        }
        catch (BadHttpRequestException ex) when (!http.Response.HasStarted)
        {
            failure = Fail(http, ex.StatusCode, ex.Message);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody will read an answer.
            return;
        }
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Queue.Http.Errors");
            LogUnexpected(logger, http.Request.Method, http.Request.Path, ex);
            failure = Fail(http, StatusCodes.Status500InternalServerError, "Internal error; see the node's log");
        }
        if (failure is null && IsEmptyError(http.Response))
        {
            failure = Fail(http, http.Response.StatusCode, DescribeStatus(http));
        }
        if (failure is not null)
        {
            http.Response.Clear();
            await failure.ExecuteAsync(http);
        }
    }

    private static bool IsEmptyError(HttpResponse response) =>
        !response.HasStarted && response.StatusCode >= 400 && response.ContentLength is null or 0 && string.IsNullOrEmpty(response.ContentType);

    private static string DescribeStatus(HttpContext http)
    {
        var request = http.Request;
        return http.Response.StatusCode switch
        {
            StatusCodes.Status404NotFound => $"No endpoint {request.Method} {request.Path}",
            StatusCodes.Status405MethodNotAllowed => $"Method {request.Method} is not allowed on {request.Path}",
            StatusCodes.Status415UnsupportedMediaType => $"Content type '{request.ContentType}' is not supported by {request.Method} {request.Path}",
            var status => $"{ReasonPhrases.GetReasonPhrase(status)} ({request.Method} {request.Path})",
        };
    }

    private static bool IsV1(PathString path) => path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase);

    private static string V1Code(int status) => status switch
    {
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status409Conflict => "conflict",
        StatusCodes.Status413PayloadTooLarge => "too_large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
        StatusCodes.Status429TooManyRequests => "overloaded",
        StatusCodes.Status503ServiceUnavailable => "unavailable",
        >= 500 => "internal",
        _ => "bad_request",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled failure in {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, string method, string path, Exception error);
}
