using Microsoft.Extensions.Hosting;
using Queue.Core.Edge;
using Queue.Core.Protocol;

namespace Queue.Http.Cluster;

/// <summary>
/// Hands the producers' and consumers' last-seen times gathered by this node to the manager now
/// and then, so recording them never costs a message per request.
/// </summary>
public sealed class HealthReporter(HealthTracker tracker, IQueueBackend backend) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var facts = tracker.TakeChanges();
                if (facts.Count > 0)
                {
                    // A tell: health facts are informational, and a lost batch costs a stale
                    // "last seen", not data.
                    backend.TellCatalogue(new RecordHealth(facts));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
