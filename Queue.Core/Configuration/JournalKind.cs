namespace Queue.Core.Configuration;

/// <summary>Where partitions and the catalogue are journaled (all through Akka.Persistence.Sql).</summary>
public enum JournalKind
{
    /// <summary>A SQLite file under queue.journal.data-dir: durable, zero setup, one node.</summary>
    Sqlite,

    /// <summary>PostgreSQL (queue.journal.postgres): what a cluster needs.</summary>
    Postgres,

    /// <summary>An in-memory SQLite database: nothing survives the process; for tests.</summary>
    Memory,
}
