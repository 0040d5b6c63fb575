using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Queue.Node.Cluster;

/// <summary>
/// Asks the database a trivial question now and then, so /ready can say "not healthy" as soon as
/// a broker loses its database, not only when a request happens to fail.
/// </summary>
internal sealed class DatabaseProbe(NpgsqlDataSource dataSource, TimeSpan interval, TimeSpan timeout) : BackgroundService
{
    private volatile bool _healthy = true;

    public bool IsHealthy => _healthy;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                deadline.CancelAfter(timeout);
                try
                {
                    await using var command = dataSource.CreateCommand("SELECT 1");
                    await command.ExecuteScalarAsync(deadline.Token);
                    _healthy = true;
                }
                catch (Exception) when (!stoppingToken.IsCancellationRequested)
                {
                    _healthy = false;
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
