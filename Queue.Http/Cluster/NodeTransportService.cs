using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Queue.Core.Configuration;
using Queue.Core.Transport;

namespace Queue.Http.Cluster;

/// <summary>
/// The node's transport port: starts before membership (so the manager can reach us the moment
/// we register) and stops after it (so a graceful leave can still hand shards off through it).
/// </summary>
public sealed class NodeTransportService(
    QueueSettings settings, TransportOptions options, MessageCodec codec, IEnumerable<INodeMessageHandler> handlers, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private readonly INodeMessageHandler[] _handlers = handlers.ToArray();
    private TransportServer? _server;

    /// <summary>The bound address (port 0 becomes a real port).</summary>
    public System.Net.IPEndPoint? LocalEndPoint => _server?.LocalEndPoint;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _server = new TransportServer(options, codec, HandleAsync, loggers.CreateLogger<TransportServer>());
        await _server.StartAsync(settings.Node.Host, settings.Node.Port, cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private ValueTask<object?> HandleAsync(object message, CancellationToken cancellationToken)
    {
        foreach (var handler in _handlers)
        {
            if (handler.CanHandle(message))
            {
                return handler.HandleAsync(message, cancellationToken);
            }
        }
        throw new UnknownMessageTypeException($"this node ({string.Join(",", settings.Node.Roles)}) does not handle {message.GetType().Name}");
    }
}
