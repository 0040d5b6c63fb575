using System.Globalization;
using System.Collections.Concurrent;

namespace Queue.Core.Edge;

/// <summary>
/// The seeds' health facts — when each producer and consumer was last heard from — kept in
/// memory per request and handed out in batches (<see cref="TakeChanges"/>), so recording them
/// never costs a database write per request.
/// </summary>
public sealed class HealthTracker(TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Kind, long Id), DateTimeOffset> _lastSeen = new();
    private readonly ConcurrentDictionary<(string Kind, long Id), DateTimeOffset> _changed = new();

    /// <param name="kind">"producer" or "consumer": a literal, so recording costs no allocation.</param>
    public void Seen(string kind, long id)
    {
        var now = time.GetUtcNow();
        _lastSeen[(kind, id)] = now;
        _changed[(kind, id)] = now;
    }

    /// <summary>Everything seen since the last call; the caller persists or forwards it.</summary>
    public IReadOnlyList<HealthFact> TakeChanges()
    {
        var taken = new List<HealthFact>();
        foreach (var key in _changed.Keys)
        {
            if (_changed.TryRemove(key, out var seen))
            {
                taken.Add(new HealthFact(key.Kind, key.Id.ToString(CultureInfo.InvariantCulture), seen));
            }
        }
        return taken;
    }

    /// <summary>What this node has seen, newest per producer, consumer or member.</summary>
    public IReadOnlyList<HealthFact> Snapshot() =>
        _lastSeen.Select(kv => new HealthFact(kv.Key.Kind, kv.Key.Id.ToString(CultureInfo.InvariantCulture), kv.Value)).OrderBy(f => f.Kind).ThenBy(f => f.Id, StringComparer.Ordinal).ToList();
}
