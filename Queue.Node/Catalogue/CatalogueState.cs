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

    /// <summary>The highest id handed out; producer and consumer ids share it, so every id is unique cluster-wide.</summary>
    public long LastId { get; private set; }

    public IReadOnlyCollection<TopicInfo> Topics => _topics.Values;

    public TopicInfo? Topic(string name) => _topics.GetValueOrDefault(name);

    public ProducerInfo? Producer(long id) => _producers.GetValueOrDefault(id);

    public ConsumerInfo? Consumer(long id) => _consumers.GetValueOrDefault(id);

    public long NextId => LastId + 1;

    public void Apply(IQueueMessage @event)
    {
        switch (@event)
        {
            case TopicAdded added:
                _topics.TryAdd(added.Topic.Name, added.Topic);
                break;
            case ProducerAdded added:
                _producers[added.Producer.Id] = added.Producer;
                LastId = Math.Max(LastId, added.Producer.Id);
                break;
            case ConsumerAdded added:
                _consumers[added.Consumer.Id] = added.Consumer;
                LastId = Math.Max(LastId, added.Consumer.Id);
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
        }
        foreach (var c in snapshot.Consumers)
        {
            state._consumers[c.Id] = c;
        }
        state.LastId = snapshot.LastId;
        return state;
    }
}
