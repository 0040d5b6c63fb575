namespace Queue.Core.Configuration;

/// <summary>queue.journal: where partition state is made durable.</summary>
public sealed record JournalSettings
{
    /// <summary>Npgsql connection string; empty selects the in-memory journal.</summary>
    public string Postgres { get; init; } = "";

    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public int MaxBatchRows { get; init; } = 5000;

    /// <summary>Most payload bytes (UTF-8) one group commit carries; a single bigger write still goes whole.</summary>
    public long MaxBatchBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>How long start-up waits for PostgreSQL to answer and the schema to be migrated.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>queue.journal.kind, resolved: "" in HOCON means postgres when a connection string is set, else sqlite.</summary>
    public JournalKind Kind { get; init; } = JournalKind.Memory;

    /// <summary>queue.journal.data-dir: where the SQLite journal file lives.</summary>
    public string DataDir { get; init; } = "./data";

    public bool IsPostgres => Kind == JournalKind.Postgres;
}
