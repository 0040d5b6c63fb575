using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Queue.Core.Configuration;
using Queue.Node.Persistence;

namespace Queue.Node.Tests.Persistence;

/// <summary>A migrated PostgreSQL journal and catalogue over one test database, without a node around them.</summary>
internal sealed class PostgresJournalHarness : IAsyncDisposable
{
    private PostgresJournalHarness(NpgsqlDataSource dataSource, PostgresJournal journal, PostgresCatalog catalog)
    {
        DataSource = dataSource;
        Journal = journal;
        Catalog = catalog;
    }

    public NpgsqlDataSource DataSource { get; }

    public PostgresJournal Journal { get; }

    public PostgresCatalog Catalog { get; }

    public static async Task<PostgresJournalHarness> StartAsync(string connectionString, JournalSettings? settings = null)
    {
        settings ??= new JournalSettings { Postgres = connectionString };
        var dataSource = PostgresConnection.CreateDataSource(connectionString, settings.WriteTimeout, "test-node");
        await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(null, CancellationToken.None);
        return new PostgresJournalHarness(
            dataSource,
            new PostgresJournal(dataSource, settings, "test-node", NullLoggerFactory.Instance),
            new PostgresCatalog(dataSource, settings.WriteTimeout));
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await Journal.DisposeAsync();
        await DataSource.DisposeAsync();
    }
}
