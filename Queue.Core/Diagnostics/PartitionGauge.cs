using Queue.Core.Log;

namespace Queue.Core.Diagnostics;

/// <summary>
/// What a partition actor last committed, published for the metrics scrape: its high-water mark
/// and its consumers' positions. Written only by the actor, read by any thread: the positions are
/// an immutable array swapped whole, so a reader never sees one half-written.
/// </summary>
public sealed class PartitionGauge(PartitionId id)
{
    private long _highWatermark;
    private KeyValuePair<long, long>[] _positions = [];

    public PartitionId Id { get; } = id;

    /// <summary>Called by the owning actor after a commit; copies the positions only when one moved or appeared.</summary>
    public void Publish(long highWatermark, IReadOnlyDictionary<long, long> positions)
    {
        Volatile.Write(ref _highWatermark, highWatermark);
        var current = Volatile.Read(ref _positions);
        if (!SameAs(current, positions))
        {
            Volatile.Write(ref _positions, positions.ToArray());
        }
    }

    public (long HighWatermark, IReadOnlyList<KeyValuePair<long, long>> Positions) Read() =>
        (Volatile.Read(ref _highWatermark), Volatile.Read(ref _positions));

    private static bool SameAs(KeyValuePair<long, long>[] published, IReadOnlyDictionary<long, long> positions)
    {
        if (published.Length != positions.Count)
        {
            return false;
        }
        foreach (var (consumer, position) in published)
        {
            if (!positions.TryGetValue(consumer, out var now) || now != position)
            {
                return false;
            }
        }
        return true;
    }
}
