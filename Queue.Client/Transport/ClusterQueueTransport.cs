using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Queue.Core.Actors;
using Queue.Core.Cluster;
using Queue.Core.Configuration;
using Queue.Core.Edge;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Core.Transport;

namespace Queue.Client.Transport;

/// <summary>
/// <see cref="IQueueTransport"/> over the node transport: the client joins the cluster as a
/// member with the role <c>client</c> (it never hosts shards and runs no server), keeps the
/// manager's routing table from its heartbeats, and sends each partition's requests straight to
/// the broker that owns it, with no edge hop. Topic, producer and consumer records are read and
/// written through any broker. It runs the same request logic as every edge
/// (<see cref="QueueFrontend"/>), so validation, partition choice, idempotent batches and
/// long-polls behave exactly as over HTTP; a request that finds its partition moved is retried on
/// the new owner within its timeout. Thread-safe; share one per process and dispose it (it leaves
/// the cluster) when done.
/// </summary>
public sealed class ClusterQueueTransport : IQueueTransport, IAsyncDisposable
{
    private const string ClientRole = "client";

    private readonly TransportClientPool _peers;
    private readonly RoutingTableHolder _routing = new();
    private readonly MembershipClient _membership;
    private readonly QueueFrontend _frontend;
    private readonly TimeSpan _requestTimeout;
    private readonly IReadOnlyList<string> _seeds;
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    /// <summary>Starts joining the cluster in the background; the first request waits (up to its timeout) until the client has a routing table.</summary>
    /// <param name="options">
    /// <see cref="QueueClientOptions.SeedNodes"/>, <see cref="QueueClientOptions.ClusterSecret"/> (or
    /// <see cref="QueueClientOptions.InsecureDev"/>) and <see cref="QueueClientOptions.RequestTimeout"/>.
    /// </param>
    /// <param name="loggerFactory">Where membership and connection events are logged; null for nowhere.</param>
    /// <exception cref="ArgumentException">A seed node is not host:port, or the secret is missing.</exception>
    public ClusterQueueTransport(QueueClientOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _seeds = options.SeedAddresses();
        if (_seeds.Count == 0)
        {
            throw new ArgumentException("Cluster mode needs SeedNodes: host:port of at least one broker's node transport", nameof(options));
        }
        foreach (var seed in _seeds)
        {
            try
            {
                TransportClientPool.ParseAddress(seed);
            }
            catch (FormatException ex)
            {
                throw new ArgumentException($"Seed node '{seed}' is not host:port (a broker's node transport address)", nameof(options), ex);
            }
        }
        if (options.ClusterSecret.Length == 0 && !options.InsecureDev)
        {
            throw new ArgumentException("Cluster mode needs the cluster's ClusterSecret (or InsecureDev for a cluster running without one)", nameof(options));
        }
        loggerFactory ??= NullLoggerFactory.Instance;
        _requestTimeout = options.RequestTimeout;
        // Unique per process and instance: the manager keys members by node id, and two clients
        // under one id would take turns unregistering each other.
        NodeId = string.Create(CultureInfo.InvariantCulture,
            $"client-{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        _peers = new TransportClientPool(
            new TransportOptions
            {
                NodeId = NodeId,
                ClusterSecret = options.ClusterSecret,
                AllowInsecure = options.InsecureDev,
                RequestTimeout = options.RequestTimeout,
            },
            MessageCodec.CreateDefault(),
            loggerFactory);
        _routing.Changed += (_, table) =>
        {
            if (table.Version > 0)
            {
                _joined.TrySetResult();
            }
        };
        // No address: a client runs no transport server, so the manager has nothing to push
        // tables to; it gets them with its heartbeat replies instead (every 500 ms), and asks for
        // one at once when a partition turns out to have moved.
        _membership = new MembershipClient(
            new MemberAddress(NodeId, "", "", [ClientRole]),
            _seeds,
            leaseLookup: null,
            _routing,
            _peers,
            TimeSpan.FromMilliseconds(500),
            options.RequestTimeout,
            loggerFactory.CreateLogger<MembershipClient>());
        var router = new ClusterRouter(_routing, _peers, NodeId, local: null, options.RequestTimeout);
        _frontend = new QueueFrontend(
            new RemoteCatalog(_routing, _seeds, _peers, options.RequestTimeout),
            router.Route,
            new LimitSettings(),
            options.RequestTimeout,
            // The edge's default wait for room in a full partition mailbox before answering "overloaded".
            TimeSpan.FromMilliseconds(500),
            health: null,
            routing: _membership);
        _membership.Start();
    }

    /// <summary>The id this client registered under; it shows in the cluster's member list (<c>GET /cluster</c>).</summary>
    public string NodeId { get; }

    /// <summary>True once the client has joined and holds a routing table.</summary>
    public bool IsJoined => _joined.Task.IsCompleted;

    /// <summary>Waits until the client has joined the cluster and holds a routing table.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="QueueUnavailableException">No seed node let the client join in time.</exception>
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
                "are the seed nodes brokers' node transport addresses (--port), and is the cluster secret the brokers' one?", ex);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TopicDescription>> ListTopicsAsync(CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<TopicDescription>>(async ct =>
            (await _frontend.ListTopicInfosAsync(ct)).Select(t => new TopicDescription(t.Name, t.Partitions, [])).ToList(), cancellationToken);

    /// <inheritdoc />
    public Task<TopicDescription> CreateTopicAsync(string name, int? partitions, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            var topic = await _frontend.CreateTopicAsync(name, partitions, ct);
            return new TopicDescription(topic.Name, topic.Partitions, []);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<TopicDescription> DescribeTopicAsync(string name, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            var topic = await _frontend.GetTopicAsync(name, ct);
            var states = await _frontend.DescribePartitionsAsync(topic, ct);
            return new TopicDescription(topic.Name, topic.Partitions,
                states.Select(s => new PartitionDescription(s.Partition, s.LogStart, s.HighWatermark)).ToList());
        }, cancellationToken);

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
                fetched.LogStart, fetched.HighWatermark);
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

    /// <summary>Leaves the cluster (the manager forgets the client at once instead of waiting for its heartbeats to stop) and closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _membership.LeaveAsync(_requestTimeout, CancellationToken.None);
        await _membership.DisposeAsync();
        await _peers.DisposeAsync();
    }

    private static PartitionLag ToLag(PartitionPosition position) =>
        new(position.Partition, position.Position, position.HighWatermark, position.Lag);

    /// <summary>
    /// Waits for the first routing table, runs the request, and turns the frontend's and the
    /// transport's failures into the SDK's exceptions, the same ones HTTP mode raises for the same
    /// failure (so retry decisions and application handlers do not depend on the mode).
    /// </summary>
    private async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!_joined.Task.IsCompleted)
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
        catch (TransportAuthenticationException ex)
        {
            throw new QueueClientException($"The cluster refused this client's credentials: {ex.Message}; check ClusterSecret", ex);
        }
        catch (Exception ex) when (ex is TransportUnavailableException or NotOwnerException or JournalUnavailableException or JournalFencedException
            or AskTimeoutException or ActorUnavailableException or ActorStoppedException or TimeoutException)
        {
            // Failures the frontend passes through unwrapped on some paths (a long-poll's wait,
            // a partition with no owner yet); all of them mean "not done, try again".
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
}
