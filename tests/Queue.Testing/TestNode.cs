using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Queue.Core.Cluster;
using Queue.Core.Configuration;
using Queue.Core.Log;
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

    /// <summary>Partitions with a running entity on this node, from sharding's own region state.</summary>
    public async Task<IReadOnlyList<PartitionId>> ActivePartitionsAsync()
    {
        var region = Services.GetRequiredService<ActorRegistry>().Get<QueueCluster.PartitionsKey>();
        var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
        return state.Shards.SelectMany(s => s.EntityIds).Select(PartitionMessageExtractor.PartitionOf).ToList();
    }

    /// <summary>Starts a node; <paramref name="configure"/> adjusts the defaults (the HTTP port is always a free one).</summary>
    public static async Task<TestNode> StartAsync(Func<QueueSettings, QueueSettings>? configure = null)
    {
        var settings = configure?.Invoke(new QueueSettings()) ?? new QueueSettings();
        var port = FreePort.Next();
        if (!settings.Journal.IsPostgres && settings.Journal.DataDir == new JournalSettings().DataDir)
        {
            // Tests share a working directory: unless a test asks for a journal of its own, each
            // node gets an in-memory one instead of the default ./data SQLite file.
            settings = settings with { Journal = settings.Journal with { Kind = JournalKind.Memory } };
        }
        // Port 0: the cluster transport takes a free port, so tests can run side by side.
        settings = settings with { Http = settings.Http with { Port = port }, Node = settings.Node with { Port = 0 } };
        var app = NodeApplication.Build(settings, logging => logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        var node = new TestNode(app, settings, new Uri($"http://127.0.0.1:{port}/"));
        // A node serves once it is an Up member whose manager (the catalogue singleton) answers.
        await Eventually.True(async () => (await node.Http.GetAsync("ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), "the node became ready");
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
