using Microsoft.Extensions.Logging;
using Queue.Client.Internal;
using Queue.Client.Transport;

namespace Queue.Client;

/// <summary>
/// The SDK's entry point: holds the connection (an <see cref="IQueueTransport"/>) and makes
/// admin clients, producers and consumers that share it. Create one per process (or register it
/// with <c>services.AddQueueClient(...)</c>) and dispose it last.
/// </summary>
/// <example>
/// <code>
/// await using var client = new QueueClient(new QueueClientOptions { BaseAddress = new Uri("http://127.0.0.1:8001/") });
/// await client.Admin.EnsureTopicAsync("logs", partitions: 3);
/// await using var producer = client.CreateProducer();
/// var offset = await producer.SendAsync("logs", "hello");
/// </code>
/// Cluster mode is the same code with other options:
/// <code>
/// new QueueClientOptions { Mode = QueueClientMode.Cluster, SeedNodes = ["10.0.0.1:2552", "10.0.0.2:2552"], TlsCertificatePath = "/etc/akkaqueue/cluster.pfx" }
/// </code>
/// </example>
public sealed class QueueClient : IAsyncDisposable, IDisposable
{
    private readonly HttpClient? _ownedHttp;
    private readonly ClusterQueueTransport? _ownedCluster;

    /// <summary>Connects as <see cref="QueueClientOptions.Mode"/> says: over HTTP to <see cref="QueueClientOptions.BaseAddress"/>, or into the cluster through <see cref="QueueClientOptions.SeedNodes"/>.</summary>
    /// <param name="options">Mode and addresses, timeouts, retries and producer/consumer defaults.</param>
    public QueueClient(QueueClientOptions options)
        : this(null, options)
    {
    }

    /// <summary>Uses the given transport (for example a test double), or the one <see cref="QueueClientOptions.Mode"/> names.</summary>
    /// <param name="transport">How requests travel; null for the transport of <see cref="QueueClientOptions.Mode"/>.</param>
    /// <param name="options">Timeouts, retries and producer/consumer defaults.</param>
    public QueueClient(IQueueTransport? transport, QueueClientOptions options)
        : this(transport, options, null)
    {
    }

    /// <summary>As <see cref="QueueClient(IQueueTransport?, QueueClientOptions)"/>, logging the cluster transport's membership and connection events to <paramref name="loggerFactory"/>.</summary>
    /// <param name="transport">How requests travel; null for the transport of <see cref="QueueClientOptions.Mode"/>.</param>
    /// <param name="options">Timeouts, retries and producer/consumer defaults.</param>
    /// <param name="loggerFactory">Used by the cluster transport this client makes; null for no logging.</param>
    public QueueClient(IQueueTransport? transport, QueueClientOptions options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        if (transport is null && options.Mode == QueueClientMode.Cluster)
        {
            transport = _ownedCluster = new ClusterQueueTransport(options, loggerFactory);
        }
        else if (transport is null)
        {
            // Pooled connections are recycled every few minutes so DNS changes are seen; the
            // per-request timeout lives in the transport (long-polls need more than the default).
            _ownedHttp = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            {
                BaseAddress = options.BaseAddress,
                Timeout = Timeout.InfiniteTimeSpan,
            };
            transport = new HttpQueueTransport(_ownedHttp, options.RequestTimeout);
        }
        Transport = transport;
        Retry = new RetryPolicy(options.MaxRetries, options.RetryBaseDelay, options.RetryMaxDelay);
        Admin = new QueueAdminClient(Transport, Retry);
    }

    /// <summary>The options this client was made with.</summary>
    public QueueClientOptions Options { get; }

    /// <summary>How requests travel.</summary>
    public IQueueTransport Transport { get; }

    /// <summary>Topic management.</summary>
    public QueueAdminClient Admin { get; }

    internal RetryPolicy Retry { get; }

    /// <summary>A producer that batches and sends to any topic. Dispose it (it flushes) before this client.</summary>
    /// <param name="options">Batching and buffering; null for <see cref="QueueClientOptions.Producer"/>.</param>
    public QueueProducer CreateProducer(QueueProducerOptions? options = null)
    {
        options ??= Options.Producer;
        options.Validate();
        return new QueueProducer(Transport, Retry, options);
    }

    /// <summary>Registers a consumer on <paramref name="topic"/> (or resumes <see cref="QueueConsumerOptions.ConsumerId"/>) and reads its committed positions.</summary>
    /// <param name="topic">An existing topic.</param>
    /// <param name="options">Partition, start, commit mode and polling; null for <see cref="QueueClientOptions.Consumer"/>.</param>
    /// <param name="cancellationToken">Cancels registration.</param>
    public Task<QueueConsumer> CreateConsumerAsync(string topic, QueueConsumerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        options = (options ?? Options.Consumer).Clone();
        options.Validate();
        return QueueConsumer.CreateAsync(Transport, Retry, topic, options, cancellationToken);
    }

    /// <summary>
    /// Joins consumer group <paramref name="group"/> on <paramref name="topic"/> and returns the member,
    /// which reads the partitions the group assigns it (see <see cref="QueueGroupConsumer"/>).
    /// Needs a transport that speaks the group API (<see cref="IQueueGroupTransport"/>): HTTP and cluster mode do.
    /// </summary>
    /// <param name="group">The group's name (letters, digits, '.', '_' and '-').</param>
    /// <param name="topic">An existing topic.</param>
    /// <param name="options">Start, session timeout, heartbeats, polling and the assignment callback; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the join.</param>
    /// <exception cref="NotSupportedException">The transport has no group API (a custom transport without <see cref="IQueueGroupTransport"/>).</exception>
    public Task<QueueGroupConsumer> CreateGroupConsumerAsync(string group, string topic, QueueGroupConsumerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        options = (options ?? new QueueGroupConsumerOptions()).Clone();
        options.Validate();
        var groups = Transport as IQueueGroupTransport
            ?? throw new NotSupportedException($"{Transport.GetType().Name} has no consumer-group API; implement IQueueGroupTransport to use group consumers");
        return QueueGroupConsumer.CreateAsync(Transport, groups, Retry, group, topic, options, cancellationToken);
    }

    /// <summary>
    /// Releases the HTTP connection pool, if this client made it. A cluster-mode client should be
    /// disposed with <see cref="DisposeAsync"/>, which leaves the cluster; here leaving only starts,
    /// and the cluster drops the client anyway once its heartbeats stop.
    /// </summary>
    public void Dispose()
    {
        _ownedHttp?.Dispose();
        if (_ownedCluster is not null)
        {
            _ = _ownedCluster.DisposeAsync().AsTask();
        }
    }

    /// <summary>Releases the HTTP connection pool, or leaves the cluster and closes its connections, if this client made them.</summary>
    public async ValueTask DisposeAsync()
    {
        _ownedHttp?.Dispose();
        if (_ownedCluster is not null)
        {
            await _ownedCluster.DisposeAsync();
        }
    }
}
