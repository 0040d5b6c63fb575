namespace Queue.Core.Configuration;

/// <summary>queue.journal.kind, resolved: where partitions are persisted.</summary>
public enum JournalKind
{
    /// <summary>A SQLite file in <see cref="JournalSettings.DataDir"/>; one node only.</summary>
    Sqlite,

    /// <summary>PostgreSQL, shared by every broker; what a cluster needs to fail over.</summary>
    Postgres,

    /// <summary>Nothing survives a restart; tests and demos.</summary>
    Memory,
}

/// <summary>queue.journal: where partition state is made durable. Defaults mirror hocon/queue.conf.</summary>
public sealed record JournalSettings
{
    private readonly JournalKind? _kind;

    /// <summary>
    /// The journal in use. Unless set explicitly (queue.journal.kind), it follows
    /// <see cref="Postgres"/>: postgres when a connection string is given, else sqlite — the same
    /// "auto" rule the binder applies, so <c>new JournalSettings { Postgres = ... }</c> means postgres.
    /// </summary>
    public JournalKind Kind
    {
        get => _kind ?? (string.IsNullOrWhiteSpace(Postgres) ? JournalKind.Sqlite : JournalKind.Postgres);
        init => _kind = value;
    }

    /// <summary>Npgsql connection string; used when <see cref="Kind"/> is postgres.</summary>
    public string Postgres { get; init; } = "";

    /// <summary>Directory of the SQLite journal.</summary>
    public string DataDir { get; init; } = "./data";

    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// PostgreSQL's idle_in_transaction_session_timeout and statement_timeout for the node's own
    /// connections, so a frozen broker's open transaction cannot hold row locks its successor
    /// needs (hocon/queue.conf). Zero = leave the server's settings alone.
    /// </summary>
    public TimeSpan StalledSessionTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long start-up waits for the database to answer and the schema to be created.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most payload bytes (UTF-8) one journal event carries; a single bigger append still goes whole.</summary>
    public long MaxBatchBytes { get; init; } = 32L * 1024 * 1024;

    public bool IsPostgres => Kind == JournalKind.Postgres;

    /// <summary>The SQLite database file: data-dir/akkaqueue.db.</summary>
    public string SqlitePath => Path.Combine(DataDir, "akkaqueue.db");
}
