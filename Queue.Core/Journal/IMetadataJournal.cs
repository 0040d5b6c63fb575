using Queue.Core.Log;

namespace Queue.Core.Journal;

/// <summary>Durable catalogue of topics, producers and consumers. Ids it hands out are unique cluster-wide.</summary>
public interface IMetadataJournal
{
    Task<IReadOnlyList<TopicInfo>> ListTopicsAsync(CancellationToken cancellationToken);

    Task<TopicInfo?> GetTopicAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates the topic unless one of that name exists; either way returns the stored topic.</summary>
    Task<(TopicInfo Topic, bool Created)> CreateTopicAsync(string name, int partitions, CancellationToken cancellationToken);

    /// <summary>Registers a producer for an existing topic.</summary>
    Task<ProducerInfo> RegisterProducerAsync(string topic, int? partition, CancellationToken cancellationToken);

    /// <summary>Registers a consumer for an existing topic.</summary>
    Task<ConsumerInfo> RegisterConsumerAsync(string topic, int? partition, StartFrom from, CancellationToken cancellationToken);

    Task<ProducerInfo?> GetProducerAsync(long id, CancellationToken cancellationToken);

    Task<ConsumerInfo?> GetConsumerAsync(long id, CancellationToken cancellationToken);
}
