namespace Queue.Benchmarks.Infrastructure;

/// <summary>What a closed-loop run achieved inside its measurement window.</summary>
/// <param name="Units">Units (messages, requests) completed successfully inside the window.</param>
/// <param name="Operations">Requests completed successfully inside the window.</param>
/// <param name="Errors">Requests that failed at any time during the run (never counted as units).</param>
/// <param name="SortedLatenciesMs">Latency of each successful request inside the window, sorted.</param>
/// <param name="AllUnits">Units completed during the whole run, warm-up included (what CPU time measured over the run is divided by).</param>
public sealed record LoadResult(long Units, long Operations, long Errors, string? FirstError, TimeSpan Window, IReadOnlyList<double> SortedLatenciesMs, long AllUnits)
{
    public double UnitsPerSecond => Units / Window.TotalSeconds;

    public double OperationsPerSecond => Operations / Window.TotalSeconds;
}
