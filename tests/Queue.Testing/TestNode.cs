using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Queue.Core.Configuration;
using Queue.Node.Hosting;

namespace Queue.Testing;

/// <summary>
/// A real node in this process: Kestrel on a free loopback port, the real frontend and partition
/// actors, the journal its settings choose. Tests talk to it over HTTP like any client.
/// </summary>
public sealed class TestNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestNode(WebApplication app, QueueSettings settings, Uri baseAddress)
    {
        _app = app;
        Settings = settings;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public QueueSettings Settings { get; }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public QueueNode Node => _app.Services.GetRequiredService<QueueNode>();

    /// <summary>Starts a node; <paramref name="configure"/> adjusts the defaults (the HTTP port is always a free one).</summary>
    public static async Task<TestNode> StartAsync(Func<QueueSettings, QueueSettings>? configure = null)
    {
        var settings = configure?.Invoke(new QueueSettings()) ?? new QueueSettings();
        var port = FreePort.Next();
        settings = settings with { Http = settings.Http with { Port = port } };
        var app = NodeApplication.Build(settings, logging => logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        return new TestNode(app, settings, new Uri($"http://127.0.0.1:{port}/"));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
