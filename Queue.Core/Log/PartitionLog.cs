namespace Queue.Core.Log;

/// <summary>
/// The committed state of one partition as its owner sees it: where the log ends, each
/// consumer's position, and the newest messages kept in memory. Pure: it changes only through
/// <see cref="Apply"/> with writes the journal has already committed, so it never holds
/// anything a crash could take back.
/// </summary>
public sealed class PartitionLog
{
    private readonly StoredMessage?[] _tail;
    private readonly Dictionary<long, long> _positions;

    public PartitionLog(long logStart, long highWatermark, IReadOnlyDictionary<long, long> positions, IReadOnlyList<StoredMessage> tail, int tailCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tailCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(highWatermark, logStart);
        LogStart = logStart;
        HighWatermark = highWatermark;
        _positions = new Dictionary<long, long>(positions);
        _tail = new StoredMessage?[tailCapacity];
        foreach (var message in tail)
        {
            if (message.Offset >= highWatermark - tailCapacity && message.Offset < highWatermark)
            {
                _tail[message.Offset % tailCapacity] = message;
            }
        }
    }

    /// <summary>Offset of the oldest message in the log.</summary>
    public long LogStart { get; }

    /// <summary>Offset the next appended message gets; every offset below it is committed.</summary>
    public long HighWatermark { get; private set; }

    public IReadOnlyDictionary<long, long> Positions => _positions;

    /// <summary>
    /// The consumer's next offset. A consumer this partition has never seen (its registration
    /// reached the partition before any position was pinned) starts where its policy says.
    /// </summary>
    public long PositionOf(long consumerId, StartFrom from) =>
        _positions.TryGetValue(consumerId, out var position)
            ? position
            : from == StartFrom.Earliest ? LogStart : HighWatermark;

    /// <summary>The committed message at <paramref name="offset"/> if it is still in memory.</summary>
    public bool TryGetCached(long offset, out StoredMessage message)
    {
        message = null!;
        if (offset < LogStart || offset >= HighWatermark || offset < HighWatermark - _tail.Length)
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
        foreach (var message in messages)
        {
            _tail[message.Offset % _tail.Length] = message;
            HighWatermark++;
        }
        foreach (var (consumerId, position) in positions)
        {
            _positions[consumerId] = position;
        }
    }
}
