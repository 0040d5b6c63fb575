using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Queue.Client.Transport;

namespace Queue.Client;

/// <summary>Registers the SDK with Microsoft.Extensions.DependencyInjection.</summary>
public static class QueueClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="QueueClient"/>, <see cref="QueueAdminClient"/> and a shared
    /// <see cref="QueueProducer"/> as singletons, with <see cref="QueueClientOptions"/> bound from
    /// <paramref name="configuration"/> (e.g. <c>builder.Configuration.GetSection("Queue")</c>).
    /// <see cref="QueueClientOptions.Mode"/> picks HTTP or cluster mode; an <see cref="IQueueTransport"/>
    /// registered beforehand is used instead of either.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the options.</param>
    public static IServiceCollection AddQueueClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<QueueClientOptions>().Bind(configuration);
        return AddCore(services);
    }

    /// <summary>As <see cref="AddQueueClient(IServiceCollection, IConfiguration)"/>, with options set in code.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    public static IServiceCollection AddQueueClient(this IServiceCollection services, Action<QueueClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<QueueClientOptions>().Configure(configure);
        return AddCore(services);
    }

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.TryAddSingleton(sp => new QueueClient(
            sp.GetService<IQueueTransport>(), sp.GetRequiredService<IOptions<QueueClientOptions>>().Value, sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<QueueClient>().Admin);
        // Resolved after the client, so the container disposes it first: it flushes while the
        // connection is still open.
        services.TryAddSingleton(sp => sp.GetRequiredService<QueueClient>().CreateProducer());
        return services;
    }
}
