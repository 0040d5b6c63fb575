using System.Diagnostics;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Queue.Core.Protocol;
using Queue.Http.Cluster;

namespace Queue.Node.Hosting;

/// <summary>
/// Runs the journal's code paths once before a broker reports ready: a recovery (snapshot load,
/// highest sequence number, replay), a write, a delete and a read-journal query, under a
/// persistence id of its own that no partition uses.
/// </summary>
/// <remarks>
/// Measured (benchmark scenario 5, 2 cores): the first partition a fresh broker process recovers
/// took 2.8–4.6 s for a journal of two events, against milliseconds once warm — the first use of
/// each query in Akka.Persistence.Sql (linq2db builds and compiles it), the serializers and the
/// JIT. A broker restarted seconds before a crash took over the dead one's partitions with that
/// cost on every one of them, and a failover that should take ~2 s took 6–7 s. The warm-up pays
/// it at start, before /ready says 200. (Sharding may place shards on the node as soon as it is an
/// Up member; the warm-up starts with the actor system, so it usually finishes first.)
/// </remarks>
public sealed class JournalWarmup(ActorSystem system, TimeSpan timeout, ILogger<JournalWarmup> logger)
    : BackgroundService, IReadinessCheck
{
    private volatile string? _problem = "warming up the journal (first recovery, write and read of this process)";

    public string? WhyNotReady => _problem;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var clock = Stopwatch.StartNew();
        // One persistence id per node address: never a partition's, and two nodes started at once
        // never write the same one; Akka.Persistence.Sql keeps one (deleted) row per id.
        var persistenceId = $"akkaqueue-warmup/{Akka.Cluster.Cluster.Get(system).SelfAddress.HostPort()}";
        try
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var stages = new WarmupStages();
            system.ActorOf(Props.Create(() => new WarmupActor(persistenceId, done, stages)));
            await done.Task.WaitAsync(timeout, stoppingToken);
            var written = clock.Elapsed;
            var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
            await journal.CurrentEventsByPersistenceId(persistenceId, 0, long.MaxValue)
                .RunForeach(_ => { }, system.Materializer())
                .WaitAsync(timeout, stoppingToken);
            logger.LogInformation("Journal warm-up took {Milliseconds:0} ms: recovery {Recovered:0} ms, write {Written:0} ms, delete {Deleted:0} ms, read {Read:0} ms",
                clock.Elapsed.TotalMilliseconds, stages.Recovered.TotalMilliseconds, (stages.Written - stages.Recovered).TotalMilliseconds,
                (written - stages.Written).TotalMilliseconds, (clock.Elapsed - written).TotalMilliseconds);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Not a reason to stay unready: if the journal is really down, the journal probe says
            // so, and the partitions answer 503 on their own.
            logger.LogWarning("Journal warm-up did not finish after {Milliseconds:0} ms ({Error}); serving anyway, the first recoveries will be slow",
                clock.Elapsed.TotalMilliseconds, ex.Message);
        }
        _problem = null;
    }

    /// <summary>When each stage ended, from the actor's start (for the log line).</summary>
    private sealed class WarmupStages
    {
        public TimeSpan Recovered { get; set; }

        public TimeSpan Written { get; set; }
    }

    /// <summary>Recovers (nothing), writes one event, deletes it, then stops.</summary>
    private sealed class WarmupActor : UntypedPersistentActor
    {
        private readonly TaskCompletionSource _done;
        private readonly WarmupStages _stages;
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public WarmupActor(string persistenceId, TaskCompletionSource done, WarmupStages stages)
        {
            PersistenceId = persistenceId;
            _done = done;
            _stages = stages;
        }

        public override string PersistenceId { get; }

        protected override void OnRecover(object message)
        {
            if (message is RecoveryCompleted)
            {
                // The same event type partitions write, through the same serializer.
                _stages.Recovered = _clock.Elapsed;
                Persist(new PartitionBatchCommitted([], [], []), _ =>
                {
                    _stages.Written = _clock.Elapsed;
                    DeleteMessages(LastSequenceNr);
                });
            }
        }

        protected override void OnCommand(object message)
        {
            switch (message)
            {
                case DeleteMessagesSuccess:
                    _done.TrySetResult();
                    Context.Stop(Self);
                    break;
                case DeleteMessagesFailure failure:
                    _done.TrySetException(failure.Cause);
                    Context.Stop(Self);
                    break;
            }
        }

        protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
        {
            _done.TrySetException(cause);
            base.OnPersistFailure(cause, @event, sequenceNr);
        }

        protected override void OnRecoveryFailure(Exception reason, object? message = null)
        {
            _done.TrySetException(reason);
            base.OnRecoveryFailure(reason, message);
        }
    }
}
