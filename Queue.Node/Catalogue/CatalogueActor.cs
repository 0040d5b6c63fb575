using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Queue.Core.Configuration;
using Queue.Core.Edge;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;

namespace Queue.Node.Catalogue;

/// <summary>
/// The manager: the catalogue of topics, producers and consumers, and the health facts edges
/// report. A persistent actor run as the cluster singleton on the broker role (one in the
/// cluster; it moves when its node leaves or is downed). Handles <see cref="ListTopics"/>,
/// <see cref="GetTopic"/>, <see cref="CreateTopic"/>, <see cref="SetTopicRetention"/>, <see cref="RegisterProducer"/>,
/// <see cref="RegisterConsumer"/>, <see cref="GetProducer"/>, <see cref="GetConsumer"/>,
/// <see cref="RecordHealth"/>, <see cref="GetHealth"/>.
/// </summary>
/// <remarks>
/// Every decision is journaled before it is answered. Registrations are rare next to messages,
/// so each is its own event (no group commit needed); <c>Persist</c> holds later commands until
/// the write is done, which also makes decisions strictly sequential (a topic is created once).
/// </remarks>
public sealed class CatalogueActor : UntypedPersistentActor
{
    public const string Id = "catalogue";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly int _snapshotEvery;
    private readonly RetentionSettings _retention;
    // Health facts are informational (the seeds' "last seen"): kept in memory, lost with the
    // singleton's node, and refilled by the edges' next reports.
    private readonly Dictionary<(string Kind, string Id), DateTimeOffset> _health = [];
    private CatalogueState _state = new();
    private long _eventsSinceSnapshot;

    /// <param name="retention">The queue.retention defaults a topic created without a policy gets.</param>
    public CatalogueActor(int snapshotEvery = 1000, RetentionSettings? retention = null)
    {
        _snapshotEvery = snapshotEvery;
        _retention = retention ?? new RetentionSettings();
    }

    public override string PersistenceId => Id;

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: CatalogueSnapshot snapshot }:
                _state = CatalogueState.FromSnapshot(snapshot);
                break;
            case IQueueMessage @event:
                _state.Apply(@event);
                _eventsSinceSnapshot++;
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case ListTopics:
                Sender.Tell(new TopicList(_state.Topics.OrderBy(t => t.Name, StringComparer.Ordinal).ToList()));
                break;
            case GetTopic get:
                Sender.Tell(new TopicLookup(_state.Topic(get.Name)));
                break;
            case GetProducer get:
                Sender.Tell(new ProducerLookup(_state.Producer(get.Id)));
                break;
            case GetConsumer get:
                Sender.Tell(new ConsumerLookup(_state.Consumer(get.Id)));
                break;
            case ListConsumers:
                Sender.Tell(new ConsumerList(_state.Consumers.OrderBy(c => c.Id).ToList()));
                break;
            case CreateTopic create:
                if (_state.Topic(create.Name) is { } existing)
                {
                    Sender.Tell(new TopicCreated(existing, false));
                    break;
                }
                // The defaults are copied into the topic, so it keeps its policy when the
                // singleton moves to a broker configured differently.
                var policy = new RetentionPolicy(create.RetentionMs ?? _retention.Ms, create.RetentionMessages ?? _retention.Messages, 1);
                var topic = new TopicInfo(create.Name, create.Partitions, policy);
                PersistThenReply(new TopicAdded(topic), new TopicCreated(topic, true));
                break;
            case SetTopicRetention set:
                if (_state.Topic(set.Name) is not { } current)
                {
                    Sender.Tell(new TopicLookup(null));
                    break;
                }
                var changed = new RetentionPolicy(
                    set.Ms ?? current.Retention.Ms, set.Messages ?? current.Retention.Messages, current.Retention.Version + 1);
                PersistThenReply(new TopicRetentionChanged(set.Name, changed), new TopicLookup(current with { Retention = changed }));
                break;
            case RegisterProducer register:
                if (_state.Topic(register.Topic) is null)
                {
                    Sender.Tell(new RequestFailed(QueueErrorKind.NotFound, $"Topic '{register.Topic}' does not exist"));
                    break;
                }
                var producer = new ProducerInfo(_state.NextProducerId, register.Topic, register.Partition);
                PersistThenReply(new ProducerAdded(producer), new ProducerRegistered(producer));
                break;
            case RegisterConsumer register:
                if (_state.Topic(register.Topic) is null)
                {
                    Sender.Tell(new RequestFailed(QueueErrorKind.NotFound, $"Topic '{register.Topic}' does not exist"));
                    break;
                }
                var consumer = new ConsumerInfo(_state.NextConsumerId, register.Topic, register.Partition, register.From);
                PersistThenReply(new ConsumerAdded(consumer), new ConsumerRegistered(consumer));
                break;
            case RecordHealth record:
                foreach (var fact in record.Facts)
                {
                    if (!_health.TryGetValue((fact.Kind, fact.Id), out var seen) || seen < fact.LastSeen)
                    {
                        _health[(fact.Kind, fact.Id)] = fact.LastSeen;
                    }
                }
                break;
            case GetHealth:
                Sender.Tell(new HealthReport(_health.Select(kv => new HealthFact(kv.Key.Kind, kv.Key.Id, kv.Value))
                    .OrderBy(f => f.Kind, StringComparer.Ordinal).ThenBy(f => f.Id, StringComparer.Ordinal).ToList()));
                break;
            case SaveSnapshotSuccess saved:
                DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
                break;
            case SaveSnapshotFailure failed:
                _log.Warning(failed.Cause, "Catalogue snapshot failed; recovery replays more events until the next one succeeds");
                break;
            case DeleteSnapshotsSuccess or DeleteSnapshotsFailure:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void PersistThenReply(IQueueMessage @event, IQueueMessage reply)
    {
        var asker = Sender;
        Persist(@event, e =>
        {
            _state.Apply(e);
            asker.Tell(reply);
            if (++_eventsSinceSnapshot >= _snapshotEvery)
            {
                _eventsSinceSnapshot = 0;
                SaveSnapshot(_state.ToSnapshot());
            }
        });
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // The asker gets no answer and times out (503); the singleton restarts by its
        // supervisor's back-off and recovers, so nothing half-decided survives.
        _log.Warning(cause, "Catalogue: journal write at sequence {0} failed; restarting from the journal", sequenceNr);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }
}
