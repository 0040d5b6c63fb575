using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Queue.Core.Cluster;
using Queue.Core.Edge;

namespace Queue.Http.Cluster;

/// <summary>
/// Hands the health facts gathered per request to their sink (the database on a broker, a broker
/// on an edge) every few seconds in one batch; the last batch goes out when the node stops.
/// </summary>
public sealed partial class HealthFlushService(HealthTracker tracker, Func<IReadOnlyList<HealthFact>, CancellationToken, Task> sink, TimeSpan interval, ILogger<HealthFlushService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync flushes the rest.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        var facts = tracker.TakeChanges();
        if (facts.Count == 0)
        {
            return;
        }
        try
        {
            await sink(facts, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Health facts are informational: losing one batch costs a stale "last seen", not data.
            LogFlushFailed(facts.Count, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record {Count} health facts: {Reason}")]
    private partial void LogFlushFailed(int count, string reason);
}
