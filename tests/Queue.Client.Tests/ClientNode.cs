using Queue.Client.Transport;
using Queue.Testing;

namespace Queue.Client.Tests;

/// <summary>A real single node and SDK clients pointed at it, with short retry delays.</summary>
internal sealed class ClientNode : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly HttpClient _http;

    private ClientNode(TestNode node)
    {
        Node = node;
        _http = new HttpClient { BaseAddress = node.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        HttpTransport = new HttpQueueTransport(_http, TimeSpan.FromSeconds(10));
        Client = NewClient();
    }

    public TestNode Node { get; }

    public HttpQueueTransport HttpTransport { get; }

    public QueueClient Client { get; }

    public static async Task<ClientNode> StartAsync() => new(await TestNode.StartAsync());

    public static QueueClientOptions Options(Uri baseAddress) => new()
    {
        BaseAddress = baseAddress,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        RetryMaxDelay = TimeSpan.FromMilliseconds(200),
        Consumer = new QueueConsumerOptions { PollWait = TimeSpan.FromSeconds(2) },
    };

    /// <summary>A client over <paramref name="transport"/> (default: plain HTTP to the node).</summary>
    public QueueClient NewClient(IQueueTransport? transport = null)
    {
        var client = new QueueClient(transport, Options(Node.BaseAddress));
        _owned.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
        _http.Dispose();
        await Node.DisposeAsync();
    }
}
