using Microsoft.Extensions.Hosting;
using Npgsql;
using Queue.Http.Cluster;

namespace Queue.Node.Hosting;

/// <summary>
/// Asks a broker's PostgreSQL journal "SELECT 1" every second, so /ready turns 503 while the
/// database is unreachable: a load balancer then stops sending traffic to a broker that could
/// only answer 503, and starts again by itself when the database returns.
/// </summary>
public sealed class JournalProbe(string connectionString, TimeSpan timeout) : BackgroundService, IReadinessCheck
{
    private volatile string? _problem;

    public string? WhyNotReady => _problem;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // A pool of its own, small, so probing never waits behind the journal's connections.
            MaxPoolSize = 2,
            Timeout = Math.Max(1, (int)timeout.TotalSeconds),
            CommandTimeout = Math.Max(1, (int)timeout.TotalSeconds),
            ApplicationName = "akkaqueue-probe",
        };
        await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                attempt.CancelAfter(timeout);
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(attempt.Token);
                _problem = null;
            }
            catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                // Npgsql's messages name the host, never the password.
                _problem = $"the journal database cannot be reached ({ex.GetType().Name}: {ex.Message})";
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
