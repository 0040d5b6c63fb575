using Queue.Core.Protocol;

namespace Queue.Core.Log;

/// <summary>
/// The arithmetic of retention, pure so it can be tested without actors or clocks: where the log
/// may start under a policy, and which journal events may then be deleted.
/// </summary>
public static class RetentionRules
{
    /// <summary>
    /// The new log start: the furthest any set limit moves it (as in Kafka, a message goes as soon
    /// as one limit says so), never lower than <paramref name="logStart"/> nor higher than
    /// <paramref name="highWatermark"/>.
    /// </summary>
    /// <remarks>
    /// The message count is exact. Time is judged at the offsets whose age is known without reading
    /// the journal: the index entries (each knows the newest timestamp among the messages before
    /// it) and the high-water mark (<paramref name="maxTicks"/>, the newest timestamp of all). The
    /// log start moves to the highest of those offsets before which every message is older than
    /// <c>now - Ms</c>; it never passes a message that is younger, even if clocks went backwards
    /// (the timestamps are running maxima, not the last message's).
    /// </remarks>
    public static long LogStartFor(
        RetentionPolicy policy, long logStart, long highWatermark, IReadOnlyList<OffsetIndexEntry> index, long maxTicks, DateTimeOffset now)
    {
        if (policy.KeepsEverything)
        {
            return logStart;
        }
        // Each limit bounds what is kept; the one that lets go of more wins. (The opposite rule,
        // "keep what any limit still covers", would let a quiet topic with a count limit keep
        // year-old messages forever, and a burst under a time limit grow without bound: exactly
        // the filling database retention exists to prevent.)
        var start = logStart;
        if (policy.Messages > 0)
        {
            start = Math.Max(start, highWatermark - policy.Messages);
        }
        if (policy.Ms > 0)
        {
            var cutoff = now.UtcTicks - Math.Min(policy.Ms, long.MaxValue / TimeSpan.TicksPerMillisecond) * TimeSpan.TicksPerMillisecond;
            var byTime = logStart;
            if (maxTicks < cutoff)
            {
                byTime = highWatermark;
            }
            else
            {
                // Entries are in offset order and their timestamps are running maxima, so the
                // expired ones are a prefix: the last of them is the answer.
                for (var i = index.Count - 1; i >= 0; i--)
                {
                    if (index[i].MaxTicksBefore < cutoff)
                    {
                        byTime = Math.Max(byTime, Math.Min(index[i].FirstOffset, highWatermark));
                        break;
                    }
                }
            }
            start = Math.Max(start, byTime);
        }
        return Math.Min(start, highWatermark);
    }

    /// <summary>
    /// The index entry up to which (exclusive) the journal may be deleted next, or -1 for none. An
    /// entry at position <c>j &gt; 0</c> qualifies when its offset is at or below the durable log
    /// start (so no readable message is in the events before it) and the events before it are
    /// covered by the durable snapshot (so recovery never needs them). At most
    /// <paramref name="maxEvents"/> events per step, but always at least one whole chunk, so a step
    /// cannot get stuck on a chunk bigger than the limit.
    /// </summary>
    public static int DeleteBoundary(IReadOnlyList<OffsetIndexEntry> index, long durableLogStart, long durableSnapshotSequenceNr, long maxEvents)
    {
        if (index.Count < 2)
        {
            return -1;
        }
        var deletedBelow = index[0].SequenceNr;
        var chosen = -1;
        for (var j = 1; j < index.Count; j++)
        {
            var entry = index[j];
            if (entry.FirstOffset > durableLogStart || entry.SequenceNr - 1 > durableSnapshotSequenceNr)
            {
                break;
            }
            if (chosen >= 0 && entry.SequenceNr - deletedBelow > maxEvents)
            {
                break;
            }
            chosen = j;
        }
        return chosen;
    }
}
