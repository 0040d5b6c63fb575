using System.Diagnostics;

namespace Queue.Benchmarks.Infrastructure;

/// <summary>
/// Closed-loop load: a fixed number of workers, each sending its next request as soon as the
/// previous one is answered, for a warm-up and then a measurement window. Only requests that
/// both start and finish inside the window are counted, so the figure is neither inflated by
/// warm-up nor cut by the stop.
/// </summary>
public static class ClosedLoop
{
    /// <param name="operation">One request by worker <c>i</c>; returns the units it carried (messages), throws on failure.</param>
    public static async Task<LoadResult> RunAsync(
        int workers, TimeSpan warmup, TimeSpan window, Func<int, CancellationToken, Task<int>> operation, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var windowStart = warmup;
        var windowEnd = warmup + window;
        long units = 0, operations = 0, errors = 0, allUnits = 0;
        string? firstError = null;
        var latencies = new List<double>[workers];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        async Task Worker(int index)
        {
            var mine = latencies[index] = [];
            // Yield first, so all workers start together rather than one after another.
            await Task.Yield();
            while (clock.Elapsed < windowEnd && !stop.IsCancellationRequested)
            {
                var started = clock.Elapsed;
                try
                {
                    var carried = await operation(index, stop.Token);
                    var ended = clock.Elapsed;
                    Interlocked.Add(ref allUnits, carried);
                    if (started >= windowStart && ended <= windowEnd)
                    {
                        Interlocked.Add(ref units, carried);
                        Interlocked.Increment(ref operations);
                        mine.Add((ended - started).TotalMilliseconds);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, $"{ex.GetType().Name}: {ex.Message}", null);
                    if (Interlocked.Read(ref errors) > 1000)
                    {
                        // Something is plainly broken; do not spin for the rest of the window.
                        await stop.CancelAsync();
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, workers).Select(Worker));
        var all = latencies.Where(l => l is not null).SelectMany(l => l).ToList();
        all.Sort();
        return new LoadResult(units, operations, errors, firstError, window, all, allUnits);
    }
}
