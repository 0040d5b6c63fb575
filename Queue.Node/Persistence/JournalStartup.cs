using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Queue.Core.Configuration;

namespace Queue.Node.Persistence;

/// <summary>
/// Runs the schema migrations before the node serves (hosted services start before Kestrel
/// listens). A database that is not up yet is waited for, up to queue.journal.startup-timeout,
/// because containers often start together; wrong credentials, a missing database or a schema
/// from a newer build fail at once with the reason.
/// </summary>
internal sealed partial class JournalStartup(NpgsqlDataSource dataSource, JournalSettings settings, ILoggerFactory loggers) : IHostedService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);
    private readonly ILogger _logger = loggers.CreateLogger<JournalStartup>();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var target = PostgresConnection.Describe(settings.Postgres);
        var migrator = new SchemaMigrator(dataSource, loggers.CreateLogger<SchemaMigrator>());
        var started = Stopwatch.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var left = settings.StartupTimeout - Stopwatch.GetElapsedTime(started);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            try
            {
                var version = await migrator.MigrateAsync(null, attempt.Token);
                LogReady(target, version, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                return;
            }
            catch (Exception ex) when (PostgresErrors.IsUnavailable(ex, cancellationToken))
            {
                if (Stopwatch.GetElapsedTime(started) + delay >= settings.StartupTimeout)
                {
                    throw new InvalidOperationException(
                        $"PostgreSQL journal at {target} did not become available within queue.journal.startup-timeout ({settings.StartupTimeout.TotalSeconds:0.#} s): {ex.Message}", ex);
                }
                LogWaiting(target, ex.Message, delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
            catch (PostgresException ex)
            {
                throw new InvalidOperationException($"PostgreSQL journal at {target} refused the node: {ex.SqlState} {ex.MessageText}", ex);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL journal at {Target} ready: schema version {Version} ({ElapsedMs:0} ms)")]
    private partial void LogReady(string target, int version, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL journal at {Target} not available yet ({Reason}); retrying in {DelayMs:0} ms")]
    private partial void LogWaiting(string target, string reason, double delayMs);
}
