using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Queue.Core.Configuration;
using Queue.Http.Hosting;

namespace Queue.Node.Hosting;

/// <summary>Builds a node's web application from settings; used by the program and by tests alike.</summary>
public static class NodeApplication
{
    public static WebApplication Build(QueueSettings settings, Action<ILoggingBuilder>? configureLogging = null)
    {
        var builder = EdgeHost.CreateBuilder(settings, configureLogging);
        builder.Services.AddQueueNode(settings);
        var app = builder.Build();
        EdgeHost.MapEndpoints(app, settings);
        return app;
    }

    /// <summary>The addresses Kestrel actually bound (port 0 becomes a real port).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) => EdgeHost.Addresses(app);

    public static string JournalKind(QueueSettings settings) =>
        settings.Node.HasRole("broker") ? JournalHocon.Describe(settings.Journal) : "none (edge-only)";
}
