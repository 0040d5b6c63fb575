using Akka.Configuration;
using Akka.Persistence.Sql;
using Microsoft.Data.Sqlite;
using Npgsql;
using Queue.Core.Cluster;
using Queue.Core.Configuration;

namespace Queue.Node.Hosting;

/// <summary>
/// Akka.Persistence.Sql configuration for the chosen journal: the same plugin (journal, snapshot
/// store, read journal) on PostgreSQL, on a SQLite file, or on an in-memory SQLite database. Tags
/// are never written (akka-notes.md: tagged events are inserted row by row and slow every read).
/// </summary>
public static class JournalHocon
{
    public static Config For(JournalSettings journal, string memoryName)
    {
        var (connectionString, provider, mapping) = journal.Kind switch
        {
            JournalKind.Postgres => (PostgresConnectionString(journal), "PostgreSQL.15", "postgresql"),
            JournalKind.Sqlite => (SqliteFile(journal.DataDir), "SQLite.MS", "sqlite"),
            _ => (MemoryConnectionString(memoryName), "SQLite.MS", "sqlite"),
        };
        var cs = QueueCluster.Quote(connectionString);
        var timeout = $"{(long)journal.WriteTimeout.TotalMilliseconds}ms";
        // The same database settings for the journal, the snapshot store and the read journal.
        var database = $$"""
            connection-string = {{cs}}
            provider-name = "{{provider}}"
            table-mapping = {{mapping}}
            """;
        // A store that does not answer within the write timeout fails the write: the partition
        // answers 503 and nothing is acknowledged. After failures the breaker opens; a short
        // reset-timeout lets the node serve again about a second after the database returns
        // (Akka's default of 30 s kept it refusing long after).
        var writes = $$"""
            {{database}}
            auto-initialize = on
            circuit-breaker.call-timeout = {{timeout}}
            circuit-breaker.reset-timeout = 1s
            """;
        var hocon = $$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql { {{writes}} }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql { {{writes}} }
              }
              query.journal.sql {
                {{database}}
                write-plugin = "akka.persistence.journal.sql"
              }
            }
            """;
        return ConfigurationFactory.ParseString(hocon).WithFallback(SqlPersistence.DefaultConfiguration);
    }

    /// <summary>The connection string of an in-memory SQLite database that lives as long as one connection to it stays open.</summary>
    public static string MemoryConnectionString(string name) => $"Data Source={name};Mode=Memory;Cache=Shared";

    private static string SqliteFile(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        return new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(Path.Combine(dataDir, "akkaqueue.db")) }.ToString();
    }

    /// <summary>
    /// The connection string every PostgreSQL connection of the node uses (journal, snapshots,
    /// read journal, lease, readiness probe): the configured one, plus the server-side timeouts of
    /// queue.journal.stalled-session-timeout in its Options, so that the database, not the frozen
    /// client, decides when a stalled transaction's row locks are released. A setting the user's
    /// own Options already make is left as it is.
    /// </summary>
    public static string PostgresConnectionString(JournalSettings journal)
    {
        var builder = ValidatedPostgres(journal.Postgres);
        var timeout = (long)journal.StalledSessionTimeout.TotalMilliseconds;
        if (timeout <= 0)
        {
            return builder.ConnectionString;
        }
        var options = builder.Options ?? "";
        foreach (var setting in new[] { "idle_in_transaction_session_timeout", "statement_timeout" })
        {
            if (!options.Contains(setting, StringComparison.OrdinalIgnoreCase))
            {
                options = $"{options} -c {setting}={timeout}".Trim();
            }
        }
        builder.Options = options;
        return builder.ConnectionString;
    }

    private static NpgsqlConnectionStringBuilder ValidatedPostgres(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            // Npgsql names the offending keyword, not the value, so the message is safe to show.
            throw new InvalidOperationException($"queue.journal.postgres is not a valid Npgsql connection string: {ex.Message}", ex);
        }
    }

    /// <summary>How the journal is named in the ready line: never with a password.</summary>
    public static string Describe(JournalSettings journal) => journal.Kind switch
    {
        JournalKind.Postgres => "postgres " + Redacted(journal.Postgres),
        JournalKind.Sqlite => $"sqlite {Path.GetFullPath(Path.Combine(journal.DataDir, "akkaqueue.db"))}",
        _ => "memory (nothing survives a restart; for tests)",
    };

    private static string Redacted(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Password = null };
        return $"{builder.Host}:{builder.Port}/{builder.Database}";
    }
}
