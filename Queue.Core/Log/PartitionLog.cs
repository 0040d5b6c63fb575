namespace Queue.Core.Log;

/// <summary>
/// The committed state of one partition as its owner sees it: where the log ends, each
/// consumer's position, and the newest messages kept in memory. Pure: it changes only through
/// <see cref="Apply"/> with writes the journal has already committed, so it never holds
/// anything a crash could take back.
/// </summary>
public sealed class PartitionLog
{
    // The tail starts this small and doubles up to its capacity as messages arrive: a broker
    // holds many partitions that are idle or short, and a full-size ring (10,000 references,
    // 80 KB) for each was most of an idle broker's memory (docs/benchmarks.md, scenario 7).
    private const int InitialTailLength = 16;

    private readonly int _tailCapacity;
    private readonly Dictionary<long, long> _positions;
    // Ring of the newest messages: offset o lives at o % _tail.Length. The cached offsets are
    // always the contiguous run [HighWatermark - _cached, HighWatermark).
    private StoredMessage?[] _tail;
    private int _cached;

    public PartitionLog(long logStart, long highWatermark, IReadOnlyDictionary<long, long> positions, IReadOnlyList<StoredMessage> tail, int tailCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tailCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(highWatermark, logStart);
        LogStart = logStart;
        HighWatermark = highWatermark;
        _positions = new Dictionary<long, long>(positions);
        _tailCapacity = tailCapacity;
        // Only the run of recovered messages that ends at the high-water mark can be cached
        // (the journal hands over exactly that; anything else is ignored, as before).
        var kept = tail.Where(m => m.Offset >= highWatermark - tailCapacity && m.Offset < highWatermark).OrderBy(m => m.Offset).ToList();
        var run = 0;
        while (run < kept.Count && kept[kept.Count - 1 - run].Offset == highWatermark - 1 - run)
        {
            run++;
        }
        _tail = new StoredMessage?[Math.Min(tailCapacity, Math.Max(InitialTailLength, run))];
        foreach (var message in kept.Skip(kept.Count - run))
        {
            _tail[message.Offset % _tail.Length] = message;
        }
        _cached = run;
    }

    /// <summary>Offset of the oldest message in the log; retention moves it forward (never back).</summary>
    public long LogStart { get; private set; }

    /// <summary>Offset the next appended message gets; every offset below it is committed.</summary>
    public long HighWatermark { get; private set; }

    public IReadOnlyDictionary<long, long> Positions => _positions;

    /// <summary>
    /// The consumer's next offset. A consumer this partition has never seen (its registration
    /// reached the partition before any position was pinned) starts where its policy says. A
    /// position that retention has passed reads as the log start: the messages before it are gone,
    /// so the consumer continues with the oldest one there is.
    /// </summary>
    public long PositionOf(long consumerId, StartFrom from) =>
        _positions.TryGetValue(consumerId, out var position)
            ? Math.Max(position, LogStart)
            : from == StartFrom.Earliest ? LogStart : HighWatermark;

    /// <summary>
    /// Moves the log start forward to <paramref name="logStart"/> (retention): offsets below it are
    /// no longer served, from memory or the journal. Never backwards, never past the high-water mark.
    /// </summary>
    public void AdvanceLogStart(long logStart)
    {
        if (logStart < LogStart || logStart > HighWatermark)
        {
            throw new ArgumentOutOfRangeException(nameof(logStart), logStart, $"the log start may only move forward from {LogStart} up to the high-water mark {HighWatermark}");
        }
        LogStart = logStart;
    }

    /// <summary>The committed message at <paramref name="offset"/> if it is still in memory.</summary>
    public bool TryGetCached(long offset, out StoredMessage message)
    {
        message = null!;
        if (offset < LogStart || offset >= HighWatermark || offset < HighWatermark - _cached)
        {
            return false;
        }
        var cached = _tail[offset % _tail.Length];
        if (cached is null || cached.Offset != offset)
        {
            return false;
        }
        message = cached;
        return true;
    }

    /// <summary>Applies a write the journal has committed.</summary>
    public void Apply(IReadOnlyList<StoredMessage> messages, IReadOnlyList<ConsumerPosition> positions)
    {
        // Dense offsets are the log's central invariant; a gap means the owner assigned offsets
        // wrongly and must not go on writing. Checked for the whole write before any of it is
        // applied, so a refused write leaves the state as it was.
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Offset != HighWatermark + i)
            {
                throw new InvalidOperationException($"offset {messages[i].Offset} applied where {HighWatermark + i} was expected");
            }
        }
        var wanted = (int)Math.Min(_tailCapacity, (long)_cached + messages.Count);
        if (wanted > _tail.Length)
        {
            Grow(Math.Min(_tailCapacity, Math.Max(wanted, _tail.Length * 2)));
        }
        foreach (var message in messages)
        {
            _tail[message.Offset % _tail.Length] = message;
            HighWatermark++;
        }
        _cached = Math.Min(_tail.Length, _cached + messages.Count);
        foreach (var (consumerId, position) in positions)
        {
            _positions[consumerId] = position;
        }
    }

    private void Grow(int length)
    {
        var grown = new StoredMessage?[length];
        for (var offset = HighWatermark - _cached; offset < HighWatermark; offset++)
        {
            grown[offset % length] = _tail[offset % _tail.Length];
        }
        _tail = grown;
    }
}
