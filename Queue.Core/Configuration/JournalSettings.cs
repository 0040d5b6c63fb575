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

    public bool IsPostgres => !string.IsNullOrWhiteSpace(Postgres);
}
