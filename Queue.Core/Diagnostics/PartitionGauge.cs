using Queue.Core.Log;

namespace Queue.Core.Diagnostics;

/// <summary>
/// What a partition actor last committed, published for the metrics scrape: its high-water mark
/// and its consumers' positions. Written only by the actor, read by any thread: the positions are
/// an immutable array swapped whole, so a reader never sees one half-written.
/// </summary>
public sealed class PartitionGauge(PartitionId id)
{
    private long _logStart;
    private long _highWatermark;
    private KeyValuePair<long, long>[] _positions = [];

    public PartitionId Id { get; } = id;

    /// <summary>
    /// Called by the owning actor after a commit. <paramref name="positions"/> is null when the
    /// commit moved no position (most produce batches), so a commit costs a copy of the
    /// positions only when one moved, never a comparison of all of them.
    /// </summary>
    /// <remarks>The log start goes with it because retention moves it past consumers: lag counts from it.</remarks>
    public void Publish(long logStart, long highWatermark, IReadOnlyDictionary<long, long>? positions)
    {
        Volatile.Write(ref _logStart, logStart);
        Volatile.Write(ref _highWatermark, highWatermark);
        if (positions is not null)
        {
            Volatile.Write(ref _positions, positions.ToArray());
        }
    }

    public (long LogStart, long HighWatermark, IReadOnlyList<KeyValuePair<long, long>> Positions) Read() =>
        (Volatile.Read(ref _logStart), Volatile.Read(ref _highWatermark), Volatile.Read(ref _positions));
}
