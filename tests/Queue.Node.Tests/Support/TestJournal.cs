using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Data.Sqlite;
using Queue.Core.Configuration;
using Queue.Core.Serialization;
using Queue.Node.Hosting;

namespace Queue.Node.Tests.Support;

/// <summary>
/// The journal an actor spec runs on, configured exactly as the node configures it
/// (<see cref="JournalHocon"/> plus the queue serializer): an in-memory SQLite database kept
/// alive by an open connection, or a SQLite file in a temporary directory. Disposing drops it.
/// </summary>
public sealed class TestJournal : IDisposable
{
    private readonly SqliteConnection? _keepAlive;
    private readonly string? _directory;

    private TestJournal(Config config, SqliteConnection? keepAlive, string? directory, string? file)
    {
        Config = config;
        _keepAlive = keepAlive;
        _directory = directory;
        File = file;
    }

    /// <summary>Persistence and serialization settings; the TestKit adds its own fallback.</summary>
    public Config Config { get; }

    /// <summary>The SQLite file, for file journals.</summary>
    public string? File { get; }

    public static TestJournal Memory()
    {
        var name = $"spec-{Guid.NewGuid():N}";
        // Shared-cache in-memory SQLite lives while one connection is open: held for the test's
        // lifetime, as the node holds one for its own.
        var keepAlive = new SqliteConnection(JournalHocon.MemoryConnectionString(name));
        keepAlive.Open();
        return new TestJournal(Build(new JournalSettings { Kind = JournalKind.Memory }, name), keepAlive, null, null);
    }

    /// <param name="writeTimeout">The circuit-breaker call timeout: how long a write may hang before it fails.</param>
    public static TestJournal SqliteFile(TimeSpan? writeTimeout = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"akkaqueue-spec-{Guid.NewGuid():N}");
        var settings = new JournalSettings { Kind = JournalKind.Sqlite, DataDir = directory, WriteTimeout = writeTimeout ?? TimeSpan.FromSeconds(10) };
        return new TestJournal(Build(settings, "unused"), null, directory, Path.Combine(directory, "akkaqueue.db"));
    }

    /// <summary>A PostgreSQL journal on <paramref name="connectionString"/> (the caller owns the database).</summary>
    public static TestJournal Postgres(string connectionString) =>
        new(Build(new JournalSettings { Kind = JournalKind.Postgres, Postgres = connectionString, WriteTimeout = TimeSpan.FromSeconds(20) }, "unused"), null, null, null);

    private static Config Build(JournalSettings settings, string memoryName) =>
        JournalHocon.For(settings, memoryName)
            .WithFallback(QueueSerializer.Config)
            // Specs run many actor systems on two cores: a dead letter or two at shutdown is noise.
            .WithFallback(ConfigurationFactory.ParseString("akka.log-dead-letters-during-shutdown = off"));

    /// <summary>Events (batches) the journal holds for <paramref name="persistenceId"/>, read back through the read journal.</summary>
    public static async Task<IReadOnlyList<object>> EventsAsync(ActorSystem system, string persistenceId)
    {
        var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var events = new List<object>();
        await journal.CurrentEventsByPersistenceId(persistenceId, 0, long.MaxValue)
            .RunForeach(e => events.Add(e.Event), system.Materializer());
        return events;
    }

    public void Dispose()
    {
        _keepAlive?.Dispose();
        if (_directory is not null)
        {
            // Pooled connections keep the file open on some platforms; clear them first.
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A temp directory left behind is harmless; failing the test for it is not.
            }
        }
    }
}
