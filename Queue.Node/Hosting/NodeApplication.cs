using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Queue.Core.Configuration;
using Queue.Http.Endpoints;

namespace Queue.Node.Hosting;

/// <summary>Builds a node's web application from settings; used by the program and by tests alike.</summary>
public static partial class NodeApplication
{
    /// <summary>
    /// Configuration in layers, lowest first: the embedded reference.conf, the --config file,
    /// the QUEUE_* environment variables, the command-line flags.
    /// </summary>
    public static IConfiguration LoadConfiguration(IReadOnlyList<string> args, out bool helpRequested)
    {
        var (flags, help) = CommandLineFlags.Parse(args);
        helpRequested = help;
        var environment = CommandLineFlags.FromEnvironment(Environment.GetEnvironmentVariable);
        var configFile = flags.GetValueOrDefault(CommandLineFlags.ConfigFileKey) ?? environment.GetValueOrDefault(CommandLineFlags.ConfigFileKey);
        var builder = new ConfigurationBuilder().AddHoconReference();
        if (!string.IsNullOrEmpty(configFile))
        {
            builder.AddHoconFile(configFile, optional: false);
        }
        return builder.AddInMemoryCollection(environment).AddInMemoryCollection(flags).Build();
    }

    public static WebApplication Build(QueueSettings settings, Action<ILoggingBuilder>? configureLogging = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        configureLogging?.Invoke(builder.Logging);
        builder.WebHost.UseUrls($"http://{settings.Node.Host}:{settings.Http.Port}");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Room for a message at its limit even when JSON escapes every character (\uXXXX),
            // so an over-limit message reaches our own check and gets our own error.
            kestrel.Limits.MaxRequestBodySize = settings.Limits.MaxMessageBytes * 6L + 64 * 1024;
        });
        builder.Services.AddQueueNode(settings);
        builder.Services.AddV1Api();

        var app = builder.Build();
        if (settings.Node.HasRole("edge"))
        {
            app.MapSeedApi();
            app.MapV1Api();
            app.MapOpenApi();
        }
        // "{*path}", not MapFallback's default "{*path:nonfile}": a path that looks like a file
        // name (/favicon.ico, /x.json) is an unknown route too and gets the same failure body.
        app.MapFallback("{*path}", (HttpContext http) => SeedResults.Fail(StatusCodes.Status404NotFound, $"No endpoint {http.Request.Method} {http.Request.Path}"));
        return app;
    }

    /// <summary>The addresses Kestrel actually bound (port 0 becomes a real port).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    public static void LogReady(WebApplication app, QueueSettings settings)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Queue.Node");
        LogReadyLine(logger, settings.Node.NodeId, string.Join(", ", Addresses(app)), string.Join(",", settings.Node.Roles),
            settings.Journal.IsPostgres ? "postgres" : "in-memory");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "AkkaQueue node {NodeId} ready: http {Addresses}, roles {Roles}, journal {Journal}")]
    private static partial void LogReadyLine(ILogger logger, string nodeId, string addresses, string roles, string journal);
}
