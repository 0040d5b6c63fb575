using System.Globalization;
using System.Net;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Queue.Core.Cluster;
using Queue.Core.Configuration;
using Queue.Core.Edge;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;

namespace Queue.Client.Transport;

/// <summary>
/// <see cref="IQueueTransport"/> as an Akka cluster member: the client starts its own actor
/// system (named <see cref="QueueCluster.SystemName"/>, as every node's is) and joins the cluster
/// through the seed nodes with the role <c>client</c>. It hosts no shards and no singleton (both
/// are restricted to the broker role) and only holds proxies to the partition region and the
/// catalogue, so each partition's request goes straight to the broker that owns it, with no edge
/// hop. It runs the same request logic as every edge (<see cref="QueueFrontend"/> over an
/// <see cref="AkkaQueueBackend"/>), so validation, partition choice, idempotent batches and
/// long-polls behave exactly as over HTTP. Thread-safe; share one per process and dispose it
/// (it leaves the cluster gracefully) when done.
/// </summary>
public sealed partial class ClusterQueueTransport : IQueueTransport, IQueueGroupTransport, IAsyncDisposable
{
    private const string ClientRole = QueueCluster.ClientRole;

    private readonly ServiceProvider _services;
    private readonly QueueFrontend _frontend;
    private readonly TimeSpan _requestTimeout;
    private readonly IReadOnlyList<string> _seeds;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _started;
    private int _disposed;

    /// <summary>Starts the actor system and joins the cluster in the background; the first request waits (up to its timeout) until the client is an Up member.</summary>
    /// <param name="options">
    /// <see cref="QueueClientOptions.SeedNodes"/>, <see cref="QueueClientOptions.TlsCertificatePath"/> and
    /// <see cref="QueueClientOptions.TlsCertificatePassword"/> (or <see cref="QueueClientOptions.InsecureDev"/>)
    /// and <see cref="QueueClientOptions.RequestTimeout"/>.
    /// </param>
    /// <param name="loggerFactory">Where Akka's membership and remoting events are logged; null for nowhere.</param>
    /// <exception cref="ArgumentException">A seed node is not host:port, or neither a certificate nor InsecureDev is given.</exception>
    public ClusterQueueTransport(QueueClientOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _seeds = options.SeedAddresses();
        if (_seeds.Count == 0)
        {
            throw new ArgumentException("Cluster mode needs SeedNodes: host:port of at least one broker's remoting port (--port)", nameof(options));
        }
        foreach (var seed in _seeds)
        {
            var colon = seed.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(seed[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new ArgumentException($"Seed node '{seed}' is not host:port (a broker's remoting port, --port)", nameof(options));
            }
        }
        if (options.TlsCertificatePath.Length == 0 && !options.InsecureDev)
        {
            throw new ArgumentException("Cluster mode needs the cluster's TlsCertificatePath (or InsecureDev for a cluster running without TLS)", nameof(options));
        }
        if (options.TlsCertificatePath.Length > 0 && !File.Exists(options.TlsCertificatePath))
        {
            throw new ArgumentException($"TlsCertificatePath '{options.TlsCertificatePath}' does not exist", nameof(options));
        }
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<ClusterQueueTransport>();
        _requestTimeout = options.RequestTimeout;
        // Unique per process and instance: it is the member's node-id role, which /cluster shows,
        // and two clients of one process must be told apart there.
        NodeId = string.Create(CultureInfo.InvariantCulture,
            $"client-{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        var settings = new QueueSettings
        {
            Node = new NodeSettings
            {
                NodeId = NodeId,
                // Port 0: the client serves nothing anyone dials first; brokers answer over the
                // connection it opens, at whatever port the OS picked.
                Host = "127.0.0.1",
                Port = 0,
                Roles = [ClientRole],
                SeedNodes = _seeds,
                InsecureDev = options.InsecureDev,
                TlsCertificatePath = options.TlsCertificatePath,
                TlsCertificatePassword = options.TlsCertificatePassword,
            },
            // The client runs no HTTP API; port 0 makes the advertised http role say so.
            Http = new HttpSettings { Port = 0, RequestTimeout = options.RequestTimeout },
        };

        // Akka.Hosting without a generic host (the SDK does not bring one): the same builder the
        // nodes use, with the hosted service started and stopped by this transport.
        var services = new ServiceCollection();
        services.AddSingleton(loggerFactory);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton<IHostApplicationLifetime>(new ClientLifetime());
        services.AddAkka(QueueCluster.SystemName, (akka, _) =>
        {
            akka.ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            });
            akka.WithQueueCluster(settings, [ClientRole]).WithQueueProxies(settings);
        });
        _services = services.BuildServiceProvider();
        _frontend = new QueueFrontend(
            QueueCluster.CreateBackend(_services.GetRequiredService<ActorRegistry>(), settings),
            settings.Limits,
            options.RequestTimeout);
        _groups = new GroupFrontend(QueueCluster.CreateGroupBackend(_services.GetRequiredService<ActorRegistry>()), _frontend, settings.Groups, options.RequestTimeout);
        _started = StartAsync();
    }

    /// <summary>This client's node id (its <c>node-id:</c> role); it shows in the cluster's member list (<c>GET /cluster</c>).</summary>
    public string NodeId { get; }

    /// <summary>True once the client is an Up member of the cluster.</summary>
    public bool IsJoined => _joined.Task.IsCompletedSuccessfully;

    /// <summary>Waits until the client is an Up member of the cluster.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="QueueUnavailableException">No seed node let the client join in time, or the actor system did not start.</exception>
    public async Task JoinAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            await _joined.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            throw new QueueUnavailableException(
                $"Could not join the cluster through {string.Join(", ", _seeds)} within {timeout.TotalMilliseconds:0} ms: " +
                "are the seed nodes brokers' remoting addresses (--port), and does the client use the brokers' TLS certificate (or InsecureDev if they run without TLS)?", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not QueueClientException)
        {
            throw new QueueUnavailableException($"The client's actor system could not start: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TopicDescription>> ListTopicsAsync(CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<TopicDescription>>(async ct =>
            (await _frontend.ListTopicInfosAsync(ct)).Select(t => Describe(t, [])).ToList(), cancellationToken);

    /// <inheritdoc />
    public Task<TopicDescription> CreateTopicAsync(string name, int? partitions, CancellationToken cancellationToken) =>
        CreateTopicAsync(name, partitions, null, null, cancellationToken);

    /// <inheritdoc />
    public Task<TopicDescription> CreateTopicAsync(string name, int? partitions, long? retentionMs, long? retentionMessages, CancellationToken cancellationToken) =>
        RunAsync(async ct => Describe(await _frontend.CreateTopicAsync(name, partitions, ct, retentionMs, retentionMessages), []), cancellationToken);

    /// <inheritdoc />
    public Task<TopicDescription> SetRetentionAsync(string name, long? retentionMs, long? retentionMessages, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            // The same checks as the HTTP edge; inside, 0 means "no limit".
            QueueFrontend.ValidateRetention("retention_ms", retentionMs);
            QueueFrontend.ValidateRetention("retention_messages", retentionMessages);
            return Describe(await _frontend.SetRetentionAsync(name, retentionMs ?? 0, retentionMessages ?? 0, ct), []);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<TopicDescription> DescribeTopicAsync(string name, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            var topic = await _frontend.DescribeTopicAsync(name, ct);
            var states = await _frontend.DescribePartitionsAsync(topic, ct);
            return Describe(topic, states.Select(s => new PartitionDescription(s.Partition, s.LogStart, s.HighWatermark)).ToList());
        }, cancellationToken);

    private static TopicDescription Describe(TopicInfo topic, IReadOnlyList<PartitionDescription> partitions) => new(
        topic.Name, topic.Partitions, partitions,
        topic.Retention.Ms > 0 ? topic.Retention.Ms : null, topic.Retention.Messages > 0 ? topic.Retention.Messages : null);

    /// <inheritdoc />
    public Task<ProducerRegistration> RegisterProducerAsync(string topic, int? partition, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            var producer = await _frontend.RegisterProducerV1Async(topic, partition, ct);
            return new ProducerRegistration(producer.Id, producer.Topic, producer.Partition);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<ProduceAcknowledgement> ProduceAsync(
        string topic, long? producerId, long? sequence, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            var items = messages.Select(m => new BatchItem(m.Value, m.Key, m.Partition)).ToList();
            var result = await _frontend.ProduceBatchAsync(topic, producerId, sequence, items, ct);
            return new ProduceAcknowledgement(result.Offsets.Select(o => new MessageOffset(o.Partition, o.Offset)).ToList(), result.Duplicate);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<FetchedMessages> FetchAsync(string topic, int partition, long offset, int max, TimeSpan wait, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            var fetched = await _frontend.FetchAsync(topic, partition, offset, max, wait, ct);
            return new FetchedMessages(
                fetched.Messages.Select(m => new ConsumedMessage(topic, partition, m.Offset, m.Payload, m.ProducerId == 0 ? null : m.ProducerId, m.Timestamp)).ToList(),
                fetched.LogStart, fetched.HighWatermark, fetched.Skipped);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<ConsumerRegistration> RegisterConsumerAsync(string topic, int? partition, ConsumerStart from, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            var consumer = await _frontend.RegisterConsumerAsync(topic, partition, from == ConsumerStart.Earliest ? StartFrom.Earliest : StartFrom.Latest, ct);
            return new ConsumerRegistration(consumer.Id, consumer.Topic, consumer.Partition,
                consumer.From == StartFrom.Earliest ? ConsumerStart.Earliest : ConsumerStart.Latest);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<PartitionLag>> GetPositionsAsync(long consumerId, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<PartitionLag>>(async ct =>
        {
            var (_, positions) = await _frontend.PositionsAsync(consumerId, ct);
            return positions.Select(ToLag).ToList();
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<PartitionLag>> CommitAsync(long consumerId, IReadOnlyList<MessageOffset> positions, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<PartitionLag>>(async ct =>
        {
            if (positions.Count == 0)
            {
                throw new QueueException(QueueErrorKind.BadRequest, "Give at least one partition and offset to commit");
            }
            // As the HTTP edge does: partitions commit one after another, so the answer keeps the
            // request's order and a failure is the first one's.
            var committed = new List<PartitionLag>(positions.Count);
            foreach (var position in positions)
            {
                committed.Add(ToLag(await _frontend.CommitAsync(consumerId, position.Partition, position.Offset, ct)));
            }
            return committed;
        }, cancellationToken);

    /// <summary>
    /// Leaves the cluster gracefully (coordinated shutdown: the brokers see the member leave at
    /// once instead of waiting for the failure detector) and stops the actor system.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        try
        {
            await _started;
        }
        catch (Exception ex)
        {
            // Nothing started, so nothing to leave; the failure was reported to requests already.
            _logger.LogDebug(ex, "The cluster client's actor system had failed to start");
        }
        // Stopping the hosted service runs CoordinatedShutdown, which leaves the cluster and terminates the system.
        foreach (var hosted in _services.GetServices<IHostedService>().Reverse())
        {
            await hosted.StopAsync(CancellationToken.None);
        }
        _joined.TrySetException(new ObjectDisposedException(nameof(ClusterQueueTransport)));
        await _services.DisposeAsync();
    }

    private async Task StartAsync()
    {
        try
        {
            foreach (var hosted in _services.GetServices<IHostedService>())
            {
                await hosted.StartAsync(CancellationToken.None);
            }
            // Akka.Hosting logs a failed start and stops the "application" instead of throwing;
            // resolving the system is what tells the two apart.
            var system = _services.GetRequiredService<ActorSystem>();
            Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => _joined.TrySetResult());
        }
        catch (Exception ex)
        {
            _joined.TrySetException(ex);
            throw;
        }
    }

    private static PartitionLag ToLag(PartitionPosition position) =>
        new(position.Partition, position.Position, position.HighWatermark, position.Lag);

    /// <summary>
    /// Waits until the client is a member, runs the request, and turns the frontend's and Akka's
    /// failures into the SDK's exceptions, the same ones HTTP mode raises for the same failure
    /// (so retry decisions and application handlers do not depend on the mode).
    /// </summary>
    private async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!_joined.Task.IsCompletedSuccessfully)
        {
            await JoinAsync(_requestTimeout, cancellationToken);
        }
        try
        {
            return await request(cancellationToken);
        }
        catch (QueueException ex)
        {
            throw ToClientException(ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new QueueUnavailableException($"No answer from the cluster within {_requestTimeout.TotalMilliseconds:0} ms", ex);
        }
        catch (Exception ex) when (ex is AskTimeoutException or TimeoutException)
        {
            // Failures the frontend passes through unwrapped on some paths (a long-poll's wait);
            // both mean "not done, try again".
            throw new QueueUnavailableException($"The cluster cannot serve this right now: {ex.Message}", ex);
        }
    }

    private static QueueRequestException ToClientException(QueueException ex) => ex.Kind switch
    {
        QueueErrorKind.NotFound => new QueueNotFoundException("not_found", ex.Message),
        QueueErrorKind.Conflict => new QueueConflictException("conflict", ex.Message),
        QueueErrorKind.TooLarge => new QueueRequestException(HttpStatusCode.RequestEntityTooLarge, "too_large", ex.Message),
        // The Retry-After the HTTP edge sends with these, so both modes back off alike.
        QueueErrorKind.Overloaded => new QueueRequestException(HttpStatusCode.TooManyRequests, "overloaded", ex.Message, TimeSpan.FromSeconds(1)),
        QueueErrorKind.Unavailable => new QueueRequestException(HttpStatusCode.ServiceUnavailable, "unavailable", ex.Message, TimeSpan.FromSeconds(1)),
        _ => new QueueRequestException(HttpStatusCode.BadRequest, "bad_request", ex.Message),
    };

    /// <summary>
    /// What Akka.Hosting's service asks for: it would stop the application when the actor system
    /// terminates, but a client is a library inside someone else's application, so that is a no-op.
    /// </summary>
    private sealed class ClientLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
