using Npgsql;
using Queue.Core.Configuration;
using Queue.Node.Hosting;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.Node.Tests.Persistence;

/// <summary>
/// queue.journal.stalled-session-timeout: a node's session frozen inside an open transaction
/// (what a SIGSTOPped broker between a journal INSERT and its COMMIT looks like to PostgreSQL)
/// must not keep its row locks from the broker that takes over. Checked with the real server: one
/// connection holds an uncommitted row and goes silent, a second writes the same key.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StalledSessionTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public void The_node_connection_string_carries_both_server_timeouts_and_keeps_the_users_own()
    {
        var journal = new JournalSettings { Postgres = "Host=db;Username=q", StalledSessionTimeout = TimeSpan.FromSeconds(5) };
        var options = new NpgsqlConnectionStringBuilder(JournalHocon.PostgresConnectionString(journal)).Options;
        Assert.Equal("-c idle_in_transaction_session_timeout=5000 -c statement_timeout=5000", options);

        // A user who set one of them on purpose keeps it; the other is still added.
        var own = journal with { Postgres = "Host=db;Username=q;Options=-c statement_timeout=60000" };
        options = new NpgsqlConnectionStringBuilder(JournalHocon.PostgresConnectionString(own)).Options;
        Assert.Equal("-c statement_timeout=60000 -c idle_in_transaction_session_timeout=5000", options);

        var off = journal with { StalledSessionTimeout = TimeSpan.Zero };
        Assert.Null(new NpgsqlConnectionStringBuilder(JournalHocon.PostgresConnectionString(off)).Options);
    }

    [Fact]
    public async Task A_silent_transaction_is_aborted_by_the_server_and_the_next_writer_of_its_key_goes_through()
    {
        await using var frozen = await FreezeMidTransactionAsync(TimeSpan.FromSeconds(1));
        var table = frozen.Table;

        // The successor writes the same key. Without the timeout it would wait on the frozen
        // session's row lock for as long as that session lives; the command timeout here is only
        // a generous bound for a loaded machine.
        await using var successor = await OpenAsync(commandTimeoutSeconds: 60);
        await Insert(successor, table, "successor");

        await using (var read = new NpgsqlCommand($"SELECT writer FROM {table} WHERE k = 1", successor))
        {
            Assert.Equal("successor", await read.ExecuteScalarAsync());
        }
        // The frozen session learns, when it wakes, that its transaction is gone: its commit
        // cannot turn into a second copy of the row.
        var woken = await Assert.ThrowsAnyAsync<Exception>(() => frozen.Transaction.CommitAsync());
        output.WriteLine($"the frozen session's commit after waking: {woken.GetType().Name}: {woken.Message}");
    }

    [Fact]
    public async Task With_the_timeout_off_the_successor_waits_on_the_silent_transaction()
    {
        // The control for the test above: the unblocking is this setting's doing.
        await using var frozen = await FreezeMidTransactionAsync(TimeSpan.Zero);

        await using var successor = await OpenAsync(commandTimeoutSeconds: 3);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => Insert(successor, frozen.Table, "successor"));
        await frozen.Transaction.RollbackAsync();
    }

    /// <summary>
    /// A session of the node's kind (its connection string from <see cref="JournalHocon"/> with
    /// this stalled-session timeout) that inserts key 1 of a fresh table inside a transaction and
    /// then sends nothing more, as a stopped process would not.
    /// </summary>
    private async Task<FrozenSession> FreezeMidTransactionAsync(TimeSpan stalledSessionTimeout)
    {
        var table = await CreateTableAsync();
        var journal = new JournalSettings { Postgres = database.ConnectionString, StalledSessionTimeout = stalledSessionTimeout };
        var connection = new NpgsqlConnection(JournalHocon.PostgresConnectionString(journal));
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await Insert(connection, table, "frozen", transaction);
        return new FrozenSession(table, connection, transaction);
    }

    private async Task<NpgsqlConnection> OpenAsync(int commandTimeoutSeconds)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { CommandTimeout = commandTimeoutSeconds }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private sealed record FrozenSession(string Table, NpgsqlConnection Connection, NpgsqlTransaction Transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }

    private async Task<string> CreateTableAsync()
    {
        var table = $"stalled_{Guid.NewGuid():N}"[..20];
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE TABLE {table} (k int PRIMARY KEY, writer text NOT NULL)", connection);
        await create.ExecuteNonQueryAsync();
        return table;
    }

    private static async Task Insert(NpgsqlConnection connection, string table, string writer, NpgsqlTransaction? transaction = null)
    {
        await using var insert = new NpgsqlCommand($"INSERT INTO {table} (k, writer) VALUES (1, @writer)", connection, transaction);
        insert.Parameters.AddWithValue("writer", writer);
        await insert.ExecuteNonQueryAsync();
    }
}
