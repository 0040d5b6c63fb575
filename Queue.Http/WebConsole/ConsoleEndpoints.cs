using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Queue.Http.WebConsole;

/// <summary>
/// The web console (docs/operations.md): three static files embedded in this assembly, served
/// at <c>/</c> and <c>/ui</c>. The page is a client of the JSON API like any other — nothing here
/// reads queue state — so it keeps working whatever serves that API, and it needs no network
/// beyond the node (no CDN, no build step).
/// </summary>
public static class ConsoleEndpoints
{
    private static readonly IReadOnlyDictionary<string, (byte[] Content, string ContentType)> Files = Load();

    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Serve("index.html")).ExcludeFromDescription();
        app.MapGet("/ui", () => Serve("index.html")).ExcludeFromDescription();
        app.MapGet("/ui/{file}", (string file) => Serve(file)).ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(string file) =>
        Files.TryGetValue(file, out var found)
            ? Results.Bytes(found.Content, found.ContentType)
            : Endpoints.SeedResults.Fail(StatusCodes.Status404NotFound, $"No console file '{file}'");

    private static Dictionary<string, (byte[], string)> Load()
    {
        var assembly = typeof(ConsoleEndpoints).Assembly;
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("console/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var file = name["console/".Length..];
            files[file] = (copy.ToArray(), ContentTypeOf(file));
        }
        return files;
    }

    private static string ContentTypeOf(string file) => Path.GetExtension(file) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}
