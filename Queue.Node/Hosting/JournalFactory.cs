using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Queue.Core.Configuration;
using Queue.Core.Journal;
using Queue.Node.Persistence;

namespace Queue.Node.Hosting;

/// <summary>Chooses the journal: PostgreSQL when a connection string is configured, else in memory.</summary>
internal static class JournalFactory
{
    public static void Register(IServiceCollection services, QueueSettings settings)
    {
        var journal = settings.Journal;
        if (!journal.IsPostgres)
        {
            services.AddSingleton<InMemoryJournal>();
            services.AddSingleton<IPartitionJournal>(sp => sp.GetRequiredService<InMemoryJournal>());
            services.AddSingleton<IMetadataJournal>(sp => sp.GetRequiredService<InMemoryJournal>());
            return;
        }

        ValidateConnectionString(journal.Postgres);
        // The container owns and disposes these in reverse order: the journal (draining its last
        // group commit) before the data source it writes through.
        services.AddSingleton(_ => PostgresConnection.CreateDataSource(journal.Postgres, journal.WriteTimeout, settings.Node.NodeId));
        services.AddSingleton(sp => new PostgresJournal(
            sp.GetRequiredService<NpgsqlDataSource>(), journal, settings.Node.NodeId, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IPartitionJournal>(sp => sp.GetRequiredService<PostgresJournal>());
        services.AddSingleton<IMetadataJournal>(sp => new PostgresCatalog(sp.GetRequiredService<NpgsqlDataSource>(), journal.WriteTimeout));
        // Registered before the node itself, so the schema is in place before anything serves.
        services.AddHostedService(sp => new JournalStartup(
            sp.GetRequiredService<NpgsqlDataSource>(), journal, sp.GetRequiredService<ILoggerFactory>()));
    }

    private static void ValidateConnectionString(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            // Npgsql names the offending keyword, not the value, so the message is safe to show.
            throw new InvalidOperationException($"queue.journal.postgres is not a valid Npgsql connection string: {ex.Message}", ex);
        }
    }
}
