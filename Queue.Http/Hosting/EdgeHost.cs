using Akka.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Akka.Actor;
using Akka.Hosting;
using Queue.Core.Cluster;
using Queue.Core.Configuration;
using Queue.Core.Diagnostics;
using Queue.Core.Edge;
using Queue.Http.Cluster;
using Queue.Http.Endpoints;
using Queue.Http.WebConsole;
using OpenTelemetry.Metrics;

namespace Queue.Http.Hosting;

/// <summary>
/// The web side every node shares — configuration layers, Kestrel, the API surfaces, the admin
/// endpoints, the ready line — whether it also hosts partitions (Queue.Node) or only serves HTTP
/// (Queue.Http's edge-only node).
/// </summary>
public static partial class EdgeHost
{
    /// <summary>
    /// Configuration in layers, lowest first: the embedded hocon/akka.conf and hocon/queue.conf,
    /// the --config file, the QUEUE_* environment variables, the command-line flags
    /// (see <see cref="QueueConfiguration.Load"/>).
    /// </summary>
    public static Config LoadConfiguration(IReadOnlyList<string> args, out bool helpRequested)
    {
        var (config, help) = QueueConfiguration.Load(args, Environment.GetEnvironmentVariable);
        helpRequested = help;
        return config;
    }

    /// <summary>Reads configuration and settings for a program; null (with the exit code) when it should not start.</summary>
    public static (QueueSettings? Settings, int ExitCode) ReadSettings(string program, string summary, string[] args)
    {
        try
        {
            var configuration = LoadConfiguration(args, out var help);
            if (help)
            {
                Console.Out.Write(CommandLineFlags.HelpText(program, summary));
                return (null, 0);
            }
            return (QueueSettingsBinder.Bind(configuration), 0);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine($"{program}: {ex.Message}");
            return (null, 2);
        }
    }

    public static WebApplicationBuilder CreateBuilder(QueueSettings settings, Action<ILoggingBuilder>? configureLogging)
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
        builder.Services.AddSingleton(settings);
        builder.Services.AddV1Api();
        // /metrics: the queue's own instruments (docs/operations.md) and ASP.NET Core's request metrics.
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(QueueMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddPrometheusExporter());
        return builder;
    }

    /// <summary>
    /// The request logic every node with an API shares: the backend over the actor system
    /// (registered by <c>AddAkka</c> before this), the frontend, health reporting and the admin view.
    /// </summary>
    public static IServiceCollection AddQueueFrontend(IServiceCollection services, QueueSettings settings)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new HealthTracker(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IQueueBackend>(sp => QueueCluster.CreateBackend(sp.GetRequiredService<ActorRegistry>(), settings));
        services.AddSingleton(sp => new QueueFrontend(
            sp.GetRequiredService<IQueueBackend>(), settings.Limits, settings.Http.RequestTimeout, sp.GetRequiredService<HealthTracker>()));
        services.AddSingleton(sp => new GroupFrontend(QueueCluster.CreateGroupBackend(sp.GetRequiredService<ActorRegistry>()),
            sp.GetRequiredService<QueueFrontend>(), settings.Groups, settings.Http.RequestTimeout));
        services.AddSingleton(sp => new ClusterView(
            sp.GetRequiredService<ActorSystem>(), sp.GetRequiredService<IQueueBackend>(), settings, sp.GetRequiredService<ActorRegistry>(),
            sp.GetServices<IReadinessCheck>()));
        services.AddSingleton(new NodeDescription(settings.Node.NodeId, settings.Node.Roles, settings.Journal.Kind == JournalKind.Memory ? "in-memory" : settings.Journal.Kind.ToString().ToLowerInvariant()));
        services.AddHostedService(sp => new HealthReporter(sp.GetRequiredService<HealthTracker>(), sp.GetRequiredService<IQueueBackend>()));
        return services;
    }

    /// <summary>Maps the API (when the node has the edge role), the admin endpoints and the JSON 404, behind the JSON error bodies.</summary>
    public static void MapEndpoints(WebApplication app, QueueSettings settings)
    {
        app.UseJsonErrorBodies();
        if (settings.Node.HasRole("edge"))
        {
            app.MapSeedApi();
            app.MapV1Api();
            app.MapOpenApi();
            app.MapConsole();
        }
        app.MapAdminApi();
        app.MapPrometheusScrapingEndpoint();
        app.Lifetime.ApplicationStarted.Register(() => QueueMetrics.TrackCluster(Akka.Cluster.Cluster.Get(app.Services.GetRequiredService<ActorSystem>())));
        // "{*path}", not MapFallback's default "{*path:nonfile}": a path that looks like a file
        // name (/favicon.ico, /x.json) is an unknown route too and gets the same failure body.
        // A /v1 path can land here too (/v1/x.json does not match the /v1 group's own fallback):
        // it still gets the /v1 error shape.
        app.MapFallback("{*path}", (HttpContext http) => ErrorBodies.Fail(http, StatusCodes.Status404NotFound, $"No endpoint {http.Request.Method} {http.Request.Path}"));
    }

    /// <summary>The addresses Kestrel actually bound (port 0 becomes a real port).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <summary>The one line a node logs when it is ready (design.md §4).</summary>
    public static void LogReady(WebApplication app, QueueSettings settings, string journal)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Queue.Node");
        var cluster = app.Services.GetRequiredService<ActorSystem>();
        var self = Akka.Cluster.Cluster.Get(cluster).SelfAddress;
        var security = settings.Node.TlsCertificatePath.Length > 0 ? "TLS (mutual)" : "INSECURE (no TLS: insecure-dev)";
        var transport = $", cluster {self.Host}:{self.Port} {security}";
        LogReadyLine(logger, settings.Node.NodeId, string.Join(", ", Addresses(app)) + transport, string.Join(",", settings.Node.Roles), journal);
    }

    /// <summary>Starts, logs the ready line, and runs until the host is told to stop (SIGTERM, Ctrl+C).</summary>
    public static async Task<int> RunAsync(WebApplication app, QueueSettings settings, string journal)
    {
        try
        {
            await app.StartAsync();
        }
        catch (InvalidOperationException ex)
        {
            // Start-up refused (the database never came, no cluster secret...): say why in one
            // line instead of a stack trace; the log above has the details.
            await Console.Error.WriteLineAsync($"{settings.Node.NodeId}: could not start: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            // Stopped (Ctrl+C, SIGTERM) while still starting, e.g. while waiting for the database.
            await Console.Error.WriteLineAsync($"{settings.Node.NodeId}: stopped before it finished starting");
            return 1;
        }
        LogReady(app, settings, journal);
        await app.WaitForShutdownAsync();
        return ExitCodeFor(app, settings);
    }

    /// <summary>
    /// 0 for a stop that was asked for (SIGTERM, Ctrl+C); otherwise a non-zero code and one line
    /// saying why, so a supervisor restarts the node and an operator sees the cause without
    /// reading the whole log. Akka itself ends the actor system when a TLS handshake with a peer
    /// fails or when the cluster downs this node, and the host then stops "normally".
    /// </summary>
    private static int ExitCodeFor(WebApplication app, QueueSettings settings)
    {
        var reason = CoordinatedShutdown.Get(app.Services.GetRequiredService<ActorSystem>()).ShutdownReason;
        switch (reason)
        {
            // Akka.Remote's reason type is internal: recognised by name.
            case { } tls when tls.GetType().Name == "TlsHandshakeFailureReason":
                Console.Error.WriteLine($"{settings.Node.NodeId}: stopped: a TLS handshake with a cluster peer failed — this node's certificate " +
                    "is not the cluster's (or the peer's is not this node's); every node must present the same cluster certificate (see the log above)");
                return 3;
            case CoordinatedShutdown.ClusterDowningReason:
                Console.Error.WriteLine($"{settings.Node.NodeId}: stopped: the cluster downed this node (split-brain resolver or an operator); restart it to rejoin");
                return 4;
            case CoordinatedShutdown.ClusterJoinUnsuccessfulReason:
                Console.Error.WriteLine($"{settings.Node.NodeId}: stopped: could not join the cluster through the seed nodes");
                return 5;
            default:
                return 0;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "AkkaQueue node {NodeId} ready: http {Addresses}, roles {Roles}, journal {Journal}")]
    private static partial void LogReadyLine(ILogger logger, string nodeId, string addresses, string roles, string journal);
}
