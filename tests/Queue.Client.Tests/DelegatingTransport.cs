using Queue.Client;
using Queue.Client.Transport;

namespace Queue.Client.Tests;

/// <summary>Forwards to a real transport; tests override a call to inject faults or count requests.</summary>
internal class DelegatingTransport(IQueueTransport inner) : IQueueTransport
{
    public virtual Task<IReadOnlyList<TopicDescription>> ListTopicsAsync(CancellationToken cancellationToken) => inner.ListTopicsAsync(cancellationToken);

    public virtual Task<TopicDescription> CreateTopicAsync(string name, int? partitions, CancellationToken cancellationToken) =>
        inner.CreateTopicAsync(name, partitions, cancellationToken);

    public virtual Task<TopicDescription> DescribeTopicAsync(string name, CancellationToken cancellationToken) => inner.DescribeTopicAsync(name, cancellationToken);

    public virtual Task<ProducerRegistration> RegisterProducerAsync(string topic, int? partition, CancellationToken cancellationToken) =>
        inner.RegisterProducerAsync(topic, partition, cancellationToken);

    public virtual Task<ProduceAcknowledgement> ProduceAsync(string topic, long? producerId, long? sequence, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken) =>
        inner.ProduceAsync(topic, producerId, sequence, messages, cancellationToken);

    public virtual Task<FetchedMessages> FetchAsync(string topic, int partition, long offset, int max, TimeSpan wait, CancellationToken cancellationToken) =>
        inner.FetchAsync(topic, partition, offset, max, wait, cancellationToken);

    public virtual Task<ConsumerRegistration> RegisterConsumerAsync(string topic, int? partition, ConsumerStart from, CancellationToken cancellationToken) =>
        inner.RegisterConsumerAsync(topic, partition, from, cancellationToken);

    public virtual Task<IReadOnlyList<PartitionLag>> GetPositionsAsync(long consumerId, CancellationToken cancellationToken) =>
        inner.GetPositionsAsync(consumerId, cancellationToken);

    public virtual Task<IReadOnlyList<PartitionLag>> CommitAsync(long consumerId, IReadOnlyList<MessageOffset> positions, CancellationToken cancellationToken) =>
        inner.CommitAsync(consumerId, positions, cancellationToken);
}
