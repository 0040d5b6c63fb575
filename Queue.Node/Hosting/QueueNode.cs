using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Queue.Core.Actors;
using Queue.Core.Configuration;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Node.Partitions;

namespace Queue.Node.Hosting;

/// <summary>
/// The partitions a broker hosts: a registry of partition actors keyed by partition (the
/// node-local half of a shard region). Which partitions it may host is for
/// <see cref="IPartitionOwnership"/> to say: all of them on a single node, those of its shards in
/// a cluster.
/// </summary>
public sealed class QueueNode : IHostedService, IAsyncDisposable
{
    private readonly ActorRegistry<PartitionId> _partitions;

    internal QueueNode(QueueSettings settings, IPartitionJournal partitionJournal, IPartitionOwnership ownership, TimeProvider time, ILoggerFactory loggers)
    {
        var partitionSettings = settings.Partition;
        var cellOptions = new ActorCellOptions
        {
            MailboxCapacity = partitionSettings.MailboxCapacity,
            MaxBatch = partitionSettings.MaxBatch,
        };
        _partitions = new ActorRegistry<PartitionId>(
            id => new PartitionActor(id, partitionJournal, partitionSettings, settings.Journal.MaxBatchBytes, ownership, time, loggers.CreateLogger<PartitionActor>()),
            id => $"partition/{id}",
            cellOptions,
            partitionSettings.IdleTimeout,
            time,
            loggers.CreateLogger<ActorRegistry<PartitionId>>());
    }

    /// <summary>Partitions with a running actor on this node.</summary>
    public IReadOnlyCollection<PartitionId> ActivePartitions => _partitions.ActiveKeys.ToList();

    /// <summary>The local actor of <paramref name="partition"/>, started on its first message.</summary>
    public IActorRef Local(PartitionId partition) => _partitions.Get(partition);

    /// <summary>
    /// Stops the running actors of the matching partitions after they finish (and commit) what
    /// they have queued: a hand-off, or a move the routing table announced.
    /// </summary>
    public Task StopAsync(Func<PartitionId, bool> which) =>
        Task.WhenAll(_partitions.ActiveKeys.Where(which).Select(_partitions.StopAsync));

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Lets every partition finish what is queued (and commit it) before the process exits.</summary>
    public async Task StopAsync(CancellationToken cancellationToken) => await _partitions.DisposeAsync();

    public ValueTask DisposeAsync() => _partitions.DisposeAsync();
}
