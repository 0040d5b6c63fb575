using System.Collections.Concurrent;
using Akka.Actor;
using Npgsql;

namespace Queue.Node.Coordination;

/// <summary>
/// Per-ActorSystem state shared by every <see cref="PostgresLease"/> of that system: one
/// <see cref="NpgsqlDataSource"/> (connection pool) per connection string, so that hundreds of
/// shard leases do not open hundreds of pools, and the once-per-table schema creation. Kept in
/// an Akka extension rather than in statics so that two ActorSystems in one process (tests,
/// multi-node specs) never share pools or outlive each other's shutdown.
/// </summary>
public sealed class PostgresLeaseExtension : IExtension
{
    private readonly ConcurrentDictionary<string, Lazy<NpgsqlDataSource>> _dataSources = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string ConnectionString, string Table), Lazy<Task>> _tables = new();
    private readonly CancellationTokenSource _stopping = new();

    public PostgresLeaseExtension(ExtendedActorSystem system)
    {
        // After termination nobody can act on a lease any more; renewals stop and the pools
        // close. The rows then lapse after their TTL, as they would after a crash.
        system.RegisterOnTermination(Shutdown);
    }

    public static PostgresLeaseExtension Get(ActorSystem system) =>
        system.WithExtension<PostgresLeaseExtension, PostgresLeaseExtensionProvider>();

    /// <summary>Cancelled when the ActorSystem has terminated.</summary>
    internal CancellationToken Stopping => _stopping.Token;

    internal NpgsqlDataSource DataSource(string connectionString)
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        // Lazy: GetOrAdd may run its factory more than once under a race, and a pool built
        // twice would leak one.
        return _dataSources.GetOrAdd(connectionString, cs => new Lazy<NpgsqlDataSource>(() => NpgsqlDataSource.Create(cs))).Value;
    }

    /// <summary>
    /// Creates the lease table once per (database, table) for this system. A failed attempt is
    /// forgotten so that the next lease operation tries again rather than failing for good.
    /// </summary>
    internal Task EnsureTableAsync(string connectionString, string table, CancellationToken cancellationToken)
    {
        var key = (connectionString, table);
        var lazy = _tables.GetOrAdd(key, k => new Lazy<Task>(() => CreateTableAsync(k.ConnectionString, k.Table)));
        if (lazy.Value is { IsFaulted: true } or { IsCanceled: true })
        {
            _tables.TryRemove(new KeyValuePair<(string, string), Lazy<Task>>(key, lazy));
            lazy = _tables.GetOrAdd(key, k => new Lazy<Task>(() => CreateTableAsync(k.ConnectionString, k.Table)));
        }
        // The creation itself is not tied to one caller's token: another lease may be waiting on it.
        return lazy.Value.WaitAsync(cancellationToken);
    }

    private Task CreateTableAsync(string connectionString, string table)
    {
        var task = CreateTableCoreAsync(connectionString, table);
        // Its failure reaches whoever waits; if all waiters gave up, it must not go unobserved.
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    private async Task CreateTableCoreAsync(string connectionString, string table)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await using var connection = await DataSource(connectionString).OpenConnectionAsync(timeout.Token).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(timeout.Token).ConfigureAwait(false);
            // CREATE TABLE IF NOT EXISTS is not safe against a concurrent identical CREATE (two
            // nodes starting at once: one fails on the pg_type unique index); the advisory lock
            // serialises the creators, and the catch below covers a creator that takes no lock.
            await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext(@table))", connection, transaction))
            {
                lockCommand.Parameters.AddWithValue("table", "akkaqueue-lease-table:" + table);
                await lockCommand.ExecuteNonQueryAsync(timeout.Token).ConfigureAwait(false);
            }
            await using (var create = new NpgsqlCommand(PostgresLeaseSql.CreateTable(table), connection, transaction))
            {
                await create.ExecuteNonQueryAsync(timeout.Token).ConfigureAwait(false);
            }
            await transaction.CommitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.UniqueViolation)
        {
            // Someone else created it between our check and our create: that is what we wanted.
        }
    }

    private void Shutdown()
    {
        _stopping.Cancel();
        foreach (var dataSource in _dataSources.Values)
        {
            if (dataSource.IsValueCreated)
            {
                dataSource.Value.Dispose();
            }
        }
    }
}

public sealed class PostgresLeaseExtensionProvider : ExtensionIdProvider<PostgresLeaseExtension>
{
    public override PostgresLeaseExtension CreateExtension(ExtendedActorSystem system) => new(system);
}
