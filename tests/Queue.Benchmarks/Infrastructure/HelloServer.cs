using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Queue.Benchmarks.Infrastructure;

/// <summary>
/// The smallest useful Kestrel endpoint: what a request costs on this machine before any queue
/// work is done. Built like the node's web host (slim builder, same logging filters) so the
/// difference is the queue, not the hosting.
/// </summary>
public static class HelloServer
{
    public static async Task RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var app = builder.Build();
        app.MapGet("/", () => Results.Text("Hello, World!"));
        await app.RunAsync();
    }
}
