using Queue.Core.Journal;
using Queue.Core.Protocol;

namespace Queue.Node.Catalogue;

/// <summary>
/// The catalogue's state: topics, producers, consumers and the id counter. Pure: it changes only
/// through <see cref="Apply"/>, which recovery and live writes share, so the two can never
/// disagree. Replaying an event twice is harmless (a duplicate in a journal must not crash
/// recovery — akka.net #3455 is the cautionary tale).
/// </summary>
public sealed class CatalogueState
{
    private readonly Dictionary<string, TopicInfo> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<long, ProducerInfo> _producers = [];
    private readonly Dictionary<long, ConsumerInfo> _consumers = [];

    // Producers and consumers are numbered apart (1, 2, ... each), as the seeds number them;
    // each counter only grows and is recovered with the events, so no id is handed out twice.
    private long _lastProducerId;
    private long _lastConsumerId;

    /// <summary>The highest id handed out to either kind (kept in snapshots for operators).</summary>
    public long LastId => Math.Max(_lastProducerId, _lastConsumerId);

    public IReadOnlyCollection<TopicInfo> Topics => _topics.Values;

    public TopicInfo? Topic(string name) => _topics.GetValueOrDefault(name);

    public ProducerInfo? Producer(long id) => _producers.GetValueOrDefault(id);

    public ConsumerInfo? Consumer(long id) => _consumers.GetValueOrDefault(id);

    public IReadOnlyCollection<ConsumerInfo> Consumers => _consumers.Values;

    public long NextProducerId => _lastProducerId + 1;

    public long NextConsumerId => _lastConsumerId + 1;

    public void Apply(IQueueMessage @event)
    {
        switch (@event)
        {
            case TopicAdded added:
                _topics.TryAdd(added.Topic.Name, added.Topic);
                break;
            case TopicRetentionChanged changed:
                // Versions only grow, so a replayed duplicate or an older change is ignored.
                if (_topics.TryGetValue(changed.Name, out var topic) && changed.Retention.Version > topic.Retention.Version)
                {
                    _topics[changed.Name] = topic with { Retention = changed.Retention };
                }
                break;
            case ProducerAdded added:
                _producers[added.Producer.Id] = added.Producer;
                _lastProducerId = Math.Max(_lastProducerId, added.Producer.Id);
                break;
            case ConsumerAdded added:
                _consumers[added.Consumer.Id] = added.Consumer;
                _lastConsumerId = Math.Max(_lastConsumerId, added.Consumer.Id);
                break;
            default:
                throw new ArgumentException($"not a catalogue event: {@event.GetType().Name}", nameof(@event));
        }
    }

    public CatalogueSnapshot ToSnapshot() =>
        new(_topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList(), _producers.Values.OrderBy(p => p.Id).ToList(),
            _consumers.Values.OrderBy(c => c.Id).ToList(), LastId);

    public static CatalogueState FromSnapshot(CatalogueSnapshot snapshot)
    {
        var state = new CatalogueState();
        foreach (var t in snapshot.Topics)
        {
            state._topics[t.Name] = t;
        }
        foreach (var p in snapshot.Producers)
        {
            state._producers[p.Id] = p;
            state._lastProducerId = Math.Max(state._lastProducerId, p.Id);
        }
        foreach (var c in snapshot.Consumers)
        {
            state._consumers[c.Id] = c;
            state._lastConsumerId = Math.Max(state._lastConsumerId, c.Id);
        }
        return state;
    }
}
