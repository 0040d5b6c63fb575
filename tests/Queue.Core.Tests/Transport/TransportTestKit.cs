using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Queue.Core.Actors;
using Queue.Core.Tests.Actors;
using TellMessage = Queue.Core.Tests.Actors.Log;
using Queue.Core.Transport;

namespace Queue.Core.Tests.Transport;

/// <summary>Answered with its text.</summary>
internal sealed record Echo(string Text);

/// <summary>Answered with its name once the test opens the gate of that name.</summary>
internal sealed record WaitFor(string Gate);

/// <summary>Makes the handler throw the exception the test registered under <paramref name="Name"/>.</summary>
internal sealed record Fail(string Name);

/// <summary>A type only one side registers, to simulate a peer of another version.</summary>
internal sealed record Unknown(int Value);

/// <summary>
/// A server with a scriptable handler on a free loopback port, plus clients for it. Every server
/// and client it makes is disposed with it.
/// </summary>
internal sealed class TransportTestKit : IAsyncDisposable
{
    public const string Secret = "s3cret-for-tests";

    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly List<IAsyncDisposable> _owned = [];

    public ConcurrentDictionary<string, TaskCompletionSource> Gates { get; } = new();

    public ConcurrentDictionary<string, Exception> Failures { get; } = new();

    public ConcurrentQueue<object> OneWay { get; } = new();

    /// <summary>Requests the handler is inside right now.</summary>
    public int Running;

    /// <summary>Local actors the handler routes <see cref="ActorRequest"/> to.</summary>
    public ConcurrentDictionary<string, IActorRef> Actors { get; } = new();

    public static MessageCodec Codec() => TestTypes(new MessageCodecBuilder().AddDefaults()).Build();

    public static MessageCodecBuilder TestTypes(MessageCodecBuilder builder) => builder
        .Register(1000, static (w, v) => w.WriteString(v.Text), static (ref WireReader r) => new Echo(r.ReadString()))
        .Register(1001, static (w, v) => w.WriteString(v.Gate), static (ref WireReader r) => new WaitFor(r.ReadString()))
        .Register(1002, static (w, v) => w.WriteString(v.Name), static (ref WireReader r) => new Fail(r.ReadString()))
        .Register(1010, static (w, v) => w.WriteInt32(v.Value), static (ref WireReader r) => new Add(r.ReadInt32()))
        .Register(1011, static (w, v) => w.WriteInt32(v.Value), static (ref WireReader r) => new TellMessage(r.ReadInt32()))
        .Register(1012, static (_, _) => { }, static (ref WireReader _) => new Boom());

    public static TransportOptions Options(string nodeId, string secret = Secret, bool insecure = false) => new()
    {
        NodeId = nodeId,
        ClusterSecret = secret,
        AllowInsecure = insecure,
        RequestTimeout = Patience,
        ReconnectMinBackoff = TimeSpan.FromMilliseconds(20),
        ReconnectMaxBackoff = TimeSpan.FromMilliseconds(200),
    };

    public TaskCompletionSource Gate(string name) =>
        Gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public async ValueTask<object?> HandleAsync(object message, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Running);
        try
        {
            switch (message)
            {
                case Echo echo:
                    OneWay.Enqueue(echo);
                    return echo.Text;
                case WaitFor wait:
                    await Gate(wait.Gate).Task.WaitAsync(cancellationToken);
                    return wait.Gate;
                case Fail fail:
                    throw Failures[fail.Name];
                case ActorRequest request:
                    if (request.Message is TellMessage)
                    {
                        await Actors[request.Path].TellAsync(request.Message, cancellationToken);
                        return null;
                    }
                    return await Actors[request.Path].AskUntypedAsync(request.Message, Patience, cancellationToken);
                default:
                    throw new InvalidOperationException($"unexpected {message.GetType().Name}");
            }
        }
        finally
        {
            Interlocked.Decrement(ref Running);
        }
    }

    public async Task<TransportServer> StartServerAsync(TransportOptions? options = null, int port = 0, ILogger<TransportServer>? logger = null)
    {
        var server = new TransportServer(options ?? Options("server"), Codec(), HandleAsync, logger);
        await server.StartAsync("127.0.0.1", port, CancellationToken.None);
        _owned.Add(server);
        return server;
    }

    public TransportClient Client(TransportServer server, TransportOptions? options = null, MessageCodec? codec = null) =>
        Client(server.LocalEndPoint!.Port, options, codec);

    public TransportClient Client(int port, TransportOptions? options = null, MessageCodec? codec = null)
    {
        var client = new TransportClient("127.0.0.1", port, options ?? Options("client"), codec ?? Codec());
        _owned.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var gate in Gates.Values)
        {
            gate.TrySetResult();
        }
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }
    }
}
