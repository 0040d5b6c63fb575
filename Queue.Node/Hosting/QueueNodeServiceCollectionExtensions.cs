using Microsoft.Extensions.DependencyInjection;
using Queue.Core.Configuration;
using Queue.Core.Edge;
using Queue.Core.Journal;

namespace Queue.Node.Hosting;

/// <summary>Akka.Hosting's counterpart: one call adds a whole node to a host.</summary>
public static class QueueNodeServiceCollectionExtensions
{
    public static IServiceCollection AddQueueNode(this IServiceCollection services, QueueSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton(TimeProvider.System);
        JournalFactory.Register(services, settings);
        services.AddSingleton<QueueNode>();
        services.AddHostedService(sp => sp.GetRequiredService<QueueNode>());
        services.AddSingleton(sp => sp.GetRequiredService<QueueNode>().Frontend);
        services.AddSingleton(new NodeDescription(settings.Node.NodeId, settings.Node.Roles, settings.Journal.IsPostgres ? "postgres" : "in-memory"));
        return services;
    }
}
