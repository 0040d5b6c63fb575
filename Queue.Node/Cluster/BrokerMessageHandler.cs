using Queue.Core.Actors;
using Queue.Core.Cluster;
using Queue.Core.Configuration;
using Queue.Core.Journal;
using Queue.Core.Protocol;
using Queue.Core.Transport;
using Queue.Http.Cluster;
using Queue.Node.Hosting;

namespace Queue.Node.Cluster;

/// <summary>
/// What a broker answers on its transport port beyond an edge's: requests for its partitions
/// (<see cref="PartitionRequest"/>, checked against ownership first), the catalogue, the manager's
/// protocol (forwarded to the local manager actor, which refuses unless it holds the lease),
/// <see cref="HandOffShard"/> and <see cref="RecordHealth"/>.
/// </summary>
internal sealed class BrokerMessageHandler(
    QueueNode partitions,
    ClusterOwnership ownership,
    RoutingTableHolder routing,
    IMetadataJournal catalog,
    ManagerHost manager,
    ClusterStore store,
    QueueSettings settings) : INodeMessageHandler
{
    public bool CanHandle(object message) => message is PartitionRequest or HandOffShard or RecordHealth
        or ListTopics or GetTopic or CreateTopic or RegisterProducer or RegisterConsumer or GetProducer or GetConsumer
        or RegisterMember or Heartbeat or LeaveCluster or GetRoutingTable or GetClusterState;

    public async ValueTask<object?> HandleAsync(object message, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case PartitionRequest request:
                // Checked before the actor is asked, so a request for a partition that moved is
                // refused as "not the owner" without starting anything here.
                ownership.Require(request.Partition);
                return await partitions.Local(request.Partition).AskUntypedAsync(request.Message, settings.Http.RequestTimeout, cancellationToken);

            case HandOffShard handOff:
                ownership.HandOff(handOff.Shard, handOff.Epoch);
                await partitions.StopAsync(p => routing.ShardOf(p) == handOff.Shard);
                return new ShardHandedOff(handOff.Shard, handOff.Epoch);

            case RecordHealth health:
                await store.RecordHealthAsync(health.Facts, cancellationToken);
                return null;

            case ListTopics:
                return new TopicList(await catalog.ListTopicsAsync(cancellationToken));
            case GetTopic get:
                return new TopicLookup(await catalog.GetTopicAsync(get.Name, cancellationToken));
            case CreateTopic create:
                var (topic, created) = await catalog.CreateTopicAsync(create.Name, create.Partitions, cancellationToken);
                return new TopicCreated(topic, created);
            case RegisterProducer producer:
                return await catalog.RegisterProducerAsync(producer.Topic, producer.Partition, cancellationToken);
            case RegisterConsumer consumer:
                return await catalog.RegisterConsumerAsync(consumer.Topic, consumer.Partition, consumer.From, cancellationToken);
            case GetProducer getProducer:
                return new ProducerLookup(await catalog.GetProducerAsync(getProducer.Id, cancellationToken));
            case GetConsumer getConsumer:
                return new ConsumerLookup(await catalog.GetConsumerAsync(getConsumer.Id, cancellationToken));

            default:
                // The manager's protocol. Its cell answers "not the manager" unless it holds the lease.
                return await manager.Manager.AskUntypedAsync(message, settings.Transport.RequestTimeout, cancellationToken);
        }
    }
}
