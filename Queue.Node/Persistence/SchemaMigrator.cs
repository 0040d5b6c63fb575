using Microsoft.Extensions.Logging;
using Npgsql;

namespace Queue.Node.Persistence;

/// <summary>
/// Brings the database to the schema this build expects. Safe to run on every start and from
/// several nodes at once: a session advisory lock lets one node migrate while the others wait,
/// each step runs in its own transaction together with its schema_version row, and steps
/// already recorded are skipped.
/// </summary>
internal sealed partial class SchemaMigrator(NpgsqlDataSource dataSource, ILogger<SchemaMigrator> logger)
{
    // Any fixed 64-bit number works; this one is "AkkaQue" in ASCII, so it is recognisable in pg_locks.
    private const long AdvisoryLockKey = 0x416B6B61517565;

    /// <summary>Applies every pending step up to <paramref name="targetVersion"/> (default: all) and returns the version reached.</summary>
    /// <exception cref="SchemaTooNewException">The database was migrated by a newer build.</exception>
    public async Task<int> MigrateAsync(int? targetVersion, CancellationToken cancellationToken)
    {
        var target = targetVersion ?? Migrations.Latest;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_advisory_lock(@key)", cancellationToken, new NpgsqlParameter("key", AdvisoryLockKey));
        try
        {
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version     integer     PRIMARY KEY,
                    description text        NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now()
                )
                """, cancellationToken);
            var current = await CurrentVersionAsync(connection, cancellationToken);
            if (current > Migrations.Latest)
            {
                throw new SchemaTooNewException(current, Migrations.Latest);
            }
            foreach (var migration in Migrations.All.Where(m => m.Version > current && m.Version <= target))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, migration.Sql, cancellationToken);
                await ExecuteAsync(connection, "INSERT INTO schema_version (version, description) VALUES (@version, @description)", cancellationToken,
                    new NpgsqlParameter("version", migration.Version), new NpgsqlParameter("description", migration.Description));
                await transaction.CommitAsync(cancellationToken);
                current = migration.Version;
                LogApplied(migration.Version, migration.Description);
            }
            return current;
        }
        finally
        {
            // Returning the connection to the pool resets the session (DISCARD ALL), which drops the
            // lock too; unlocking here just frees the waiting nodes sooner. If the connection broke,
            // the server has already released the lock with the session.
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await ExecuteAsync(connection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None, new NpgsqlParameter("key", AdvisoryLockKey));
            }
        }
    }

    public static async Task<int> CurrentVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_version", connection);
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Journal schema migrated to version {Version}: {Description}")]
    private partial void LogApplied(int version, string description);
}
