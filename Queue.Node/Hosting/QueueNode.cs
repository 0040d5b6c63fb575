using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Queue.Core.Actors;
using Queue.Core.Configuration;
using Queue.Core.Edge;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Node.Partitions;

namespace Queue.Node.Hosting;

/// <summary>
/// One node's running parts: the partition actors it hosts (a registry keyed by partition) and
/// the frontend its HTTP edge talks to. On a single node every partition is local; the cluster
/// replaces <see cref="Route"/> with the routing table.
/// </summary>
public sealed class QueueNode : IHostedService, IAsyncDisposable
{
    private readonly ActorRegistry<PartitionId> _partitions;

    public QueueNode(QueueSettings settings, IPartitionJournal partitionJournal, IMetadataJournal catalog, TimeProvider time, ILoggerFactory loggers)
    {
        Settings = settings;
        var partitionSettings = settings.Partition;
        var cellOptions = new ActorCellOptions
        {
            MailboxCapacity = partitionSettings.MailboxCapacity,
            MaxBatch = partitionSettings.MaxBatch,
        };
        _partitions = new ActorRegistry<PartitionId>(
            id => new PartitionActor(id, partitionJournal, partitionSettings, settings.Journal.MaxBatchBytes, time, loggers.CreateLogger<PartitionActor>()),
            id => $"partition/{id}",
            cellOptions,
            partitionSettings.IdleTimeout,
            time,
            loggers.CreateLogger<ActorRegistry<PartitionId>>());
        Frontend = new QueueFrontend(catalog, Route, settings.Limits, settings.Http.RequestTimeout, settings.Http.MailboxWait);
    }

    public QueueSettings Settings { get; }

    public QueueFrontend Frontend { get; }

    /// <summary>Partitions with a running actor on this node.</summary>
    public IReadOnlyCollection<PartitionId> ActivePartitions => _partitions.ActiveKeys.ToList();

    public IActorRef Route(PartitionId partition) => _partitions.Get(partition);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Lets every partition finish what is queued (and commit it) before the process exits.</summary>
    public async Task StopAsync(CancellationToken cancellationToken) => await _partitions.DisposeAsync();

    public ValueTask DisposeAsync() => _partitions.DisposeAsync();
}
