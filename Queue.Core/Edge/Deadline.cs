using System.Diagnostics;

namespace Queue.Core.Edge;

/// <summary>
/// One time budget for a whole request, shared by the asks it makes, so a request that visits
/// several partitions still answers within the request timeout.
/// </summary>
public readonly struct Deadline
{
    private readonly long _endTimestamp;

    private Deadline(long endTimestamp) => _endTimestamp = endTimestamp;

    public static Deadline Start(TimeSpan budget) =>
        new(Stopwatch.GetTimestamp() + (long)(budget.TotalSeconds * Stopwatch.Frequency));

    /// <summary>True once less than a few milliseconds are left: too little to try again.</summary>
    public bool IsOver => Stopwatch.GetTimestamp() + Stopwatch.Frequency / 200 >= _endTimestamp;

    /// <summary>Time left; never below one millisecond, so an ask still gets a chance to fail fast with a timeout.</summary>
    public TimeSpan Remaining()
    {
        var left = TimeSpan.FromSeconds((double)(_endTimestamp - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
        return left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1);
    }
}
