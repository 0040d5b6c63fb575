using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Queue.Core.Diagnostics;
using Queue.Core.Edge;
using Queue.Http.Contracts;

namespace Queue.Http.Endpoints;

/// <summary>Runs a seed-API handler and turns every failure into the seeds' failure shape.</summary>
public static partial class SeedResults
{
    private const string Failure = "failure";

    internal static async Task<IResult> Run(HttpContext http, Func<RequestFields, CancellationToken, Task<IResult>> handler)
    {
        var cancellationToken = http.RequestAborted;
        try
        {
            var input = await RequestFields.ReadAsync(http.Request, cancellationToken);
            return await handler(input, cancellationToken);
        }
        catch (QueueException ex)
        {
            // 400 for anything the client can fix, 503 for anything that may work if retried;
            // "too large" is 413, as on /v1, so both surfaces agree on the size limits.
            var status = ex.Kind == QueueErrorKind.TooLarge ? StatusCodes.Status413PayloadTooLarge
                : ex.IsRetryable ? StatusCodes.Status503ServiceUnavailable
                : StatusCodes.Status400BadRequest;
            if (status == StatusCodes.Status503ServiceUnavailable)
            {
                QueueMetrics.Refused(ex.Kind == QueueErrorKind.Overloaded ? "overloaded" : "unavailable");
            }
            return Fail(status, ex.Message);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own refusals: a body over the request size limit keeps its 413; the
            // others (a stalled body is 408) are client mistakes, 400 like the rest.
            var status = ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest;
            return Fail(status, ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away; nobody will read an answer.
            return Results.Empty;
        }
        catch (Exception ex)
        {
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Queue.Http.SeedApi");
            LogUnexpected(logger, http.Request.Method, http.Request.Path, ex);
            return Fail(StatusCodes.Status500InternalServerError, "Internal error; see the node's log");
        }
    }

    public static IResult Fail(int statusCode, string message) =>
        Results.Json(new MessageResponse(Failure, message), SeedJson.Context.MessageResponse, statusCode: statusCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure in {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, string method, string path, Exception error);
}
