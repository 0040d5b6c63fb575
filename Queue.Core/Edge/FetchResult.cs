using Queue.Core.Log;

namespace Queue.Core.Edge;

/// <summary>Committed messages read from one partition by offset, and where its log starts and ends.</summary>
/// <param name="Skipped">
/// Offsets between the one asked for and the first one answered that retention had already
/// deleted: a reader behind the log start continues at the log start, and this says how much it missed.
/// </param>
public sealed record FetchResult(int Partition, IReadOnlyList<StoredMessage> Messages, long LogStart, long HighWatermark, long Skipped = 0)
{
    /// <summary>How many offsets below the first answered (or, with none, below the log start) a fetch from <paramref name="offset"/> skipped.</summary>
    public static long SkippedFrom(long offset, IReadOnlyList<StoredMessage> messages, long logStart) =>
        Math.Max(0, (messages.Count > 0 ? messages[0].Offset : logStart) - offset);
}
