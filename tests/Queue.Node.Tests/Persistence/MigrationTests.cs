using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Queue.Core.Log;
using Queue.Node.Persistence;
using Queue.Testing;

namespace Queue.Node.Tests.Persistence;

/// <summary>Schema migrations: idempotent, safe when nodes start together, and able to bring an older database forward.</summary>
[Collection(PostgresCollection.Name)]
public sealed class MigrationTests : IAsyncLifetime
{
    private PostgresServer _server = null!;
    private readonly List<string> _databases = [];

    public async Task InitializeAsync() => _server = await PostgresServer.SharedAsync();

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await _server.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Migrating_twice_applies_every_step_once()
    {
        await using var dataSource = await NewDatabaseAsync();
        Assert.Equal(Migrations.Latest, await Migrator(dataSource).MigrateAsync(null, CancellationToken.None));
        Assert.Equal(Migrations.Latest, await Migrator(dataSource).MigrateAsync(null, CancellationToken.None));

        Assert.Equal(Migrations.All.Select(m => m.Version), await VersionsAsync(dataSource));
    }

    [Fact]
    public async Task Nodes_starting_together_migrate_once()
    {
        await using var dataSource = await NewDatabaseAsync();
        var versions = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Migrator(dataSource).MigrateAsync(null, CancellationToken.None))));

        Assert.All(versions, v => Assert.Equal(Migrations.Latest, v));
        Assert.Equal(Migrations.All.Select(m => m.Version), await VersionsAsync(dataSource));
    }

    [Fact]
    public async Task An_existing_database_at_an_older_version_is_brought_forward_with_its_data()
    {
        await using var dataSource = await NewDatabaseAsync();
        Assert.Equal(1, await Migrator(dataSource).MigrateAsync(1, CancellationToken.None));
        await using (var seed = dataSource.CreateCommand(
            "INSERT INTO topics (name, partitions) VALUES ('old', 2); INSERT INTO producers (topic) VALUES ('old'); INSERT INTO consumers (topic, start_from) VALUES ('old', 'earliest')"))
        {
            await seed.ExecuteNonQueryAsync();
        }

        Assert.Equal(Migrations.Latest, await Migrator(dataSource).MigrateAsync(null, CancellationToken.None));

        var catalog = new PostgresCatalog(dataSource, TimeSpan.FromSeconds(5));
        Assert.Equal(2, (await catalog.GetTopicAsync("old", CancellationToken.None))!.Partitions);
        Assert.Equal(StartFrom.Earliest, (await catalog.GetConsumerAsync(1, CancellationToken.None))!.From);
        var next = await catalog.RegisterProducerAsync("old", null, CancellationToken.None);
        Assert.Equal(2, next.Id);
    }

    [Fact]
    public async Task A_schema_from_a_newer_build_stops_the_node_from_starting()
    {
        await using var dataSource = await NewDatabaseAsync();
        await Migrator(dataSource).MigrateAsync(null, CancellationToken.None);
        await using (var newer = dataSource.CreateCommand("INSERT INTO schema_version (version, description) VALUES (999, 'from the future')"))
        {
            await newer.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<SchemaTooNewException>(() => Migrator(dataSource).MigrateAsync(null, CancellationToken.None));
        Assert.Contains("999", error.Message);
    }

    private static SchemaMigrator Migrator(NpgsqlDataSource dataSource) => new(dataSource, NullLogger<SchemaMigrator>.Instance);

    private async Task<NpgsqlDataSource> NewDatabaseAsync()
    {
        var connectionString = await _server.CreateDatabaseAsync("migrations");
        _databases.Add(connectionString);
        return NpgsqlDataSource.Create(connectionString);
    }

    private static async Task<List<int>> VersionsAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT version FROM schema_version ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new List<int>();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt32(0));
        }
        return versions;
    }
}
