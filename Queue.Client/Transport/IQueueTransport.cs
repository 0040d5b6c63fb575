namespace Queue.Client.Transport;

/// <summary>
/// The requests the SDK makes, independent of how they travel. <see cref="HttpQueueTransport"/>
/// speaks the /v1 HTTP API to one edge node; a cluster transport (routing each partition's
/// requests to its owner) can implement the same interface, and producers and consumers work
/// unchanged on top of it. Implementations report refusals as <see cref="QueueRequestException"/>
/// and unreachable servers as <see cref="QueueUnavailableException"/>; they do not retry
/// (the SDK's retry policy sits above them).
/// </summary>
public interface IQueueTransport
{
    /// <summary>All topics, without per-partition detail.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<IReadOnlyList<TopicDescription>> ListTopicsAsync(CancellationToken cancellationToken);

    /// <summary>Creates a topic; <see cref="QueueConflictException"/> if it exists.</summary>
    /// <param name="name">Topic name: letters, digits, '.', '_' and '-'.</param>
    /// <param name="partitions">Partition count, or null for the server's default.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<TopicDescription> CreateTopicAsync(string name, int? partitions, CancellationToken cancellationToken);

    /// <summary>Creates a topic with retention limits (null = the server's queue.retention default); <see cref="QueueConflictException"/> if it exists.</summary>
    /// <param name="name">Topic name: letters, digits, '.', '_' and '-'.</param>
    /// <param name="partitions">Partition count, or null for the server's default.</param>
    /// <param name="retentionMs">Let go of messages older than this many milliseconds (at least 1), or null.</param>
    /// <param name="retentionMessages">Keep at most this many newest messages per partition (at least 1), or null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<TopicDescription> CreateTopicAsync(string name, int? partitions, long? retentionMs, long? retentionMessages, CancellationToken cancellationToken) =>
        retentionMs is null && retentionMessages is null
            ? CreateTopicAsync(name, partitions, cancellationToken)
            : throw new NotSupportedException($"{GetType().Name} cannot create topics with retention");

    /// <summary>Sets a topic's retention to exactly these limits (null = no such limit); <see cref="QueueNotFoundException"/> if it does not exist.</summary>
    /// <param name="name">Topic name.</param>
    /// <param name="retentionMs">Let go of messages older than this many milliseconds (at least 1), or null for no time limit.</param>
    /// <param name="retentionMessages">Keep at most this many newest messages per partition (at least 1), or null for no count limit.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<TopicDescription> SetRetentionAsync(string name, long? retentionMs, long? retentionMessages, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} cannot change retention");

    /// <summary>A topic with each partition's log bounds; <see cref="QueueNotFoundException"/> if it does not exist.</summary>
    /// <param name="name">Topic name.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<TopicDescription> DescribeTopicAsync(string name, CancellationToken cancellationToken);

    /// <summary>Registers a producer on an existing topic.</summary>
    /// <param name="topic">Topic name.</param>
    /// <param name="partition">Bind it to one partition, or null for any.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<ProducerRegistration> RegisterProducerAsync(string topic, int? partition, CancellationToken cancellationToken);

    /// <summary>
    /// Appends a batch. With <paramref name="producerId"/> and <paramref name="sequence"/> the
    /// server appends a given sequence once: resending it returns the first offsets.
    /// </summary>
    /// <param name="topic">Topic name.</param>
    /// <param name="producerId">A registered producer, or null for anonymous produce.</param>
    /// <param name="sequence">The batch's sequence number (needs <paramref name="producerId"/>).</param>
    /// <param name="messages">The batch, in order.</param>
    /// <param name="cancellationToken">Cancels the request; the outcome is then unknown.</param>
    Task<ProduceAcknowledgement> ProduceAsync(string topic, long? producerId, long? sequence, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken);

    /// <summary>Reads committed messages of one partition from an offset, long-polling up to <paramref name="wait"/> when there are none.</summary>
    /// <param name="topic">Topic name.</param>
    /// <param name="partition">Partition number.</param>
    /// <param name="offset">First offset wanted.</param>
    /// <param name="max">Most messages wanted.</param>
    /// <param name="wait">Longest server-side wait for new messages; zero answers at once.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<FetchedMessages> FetchAsync(string topic, int partition, long offset, int max, TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>Registers a consumer on an existing topic; its start positions are fixed before this returns.</summary>
    /// <param name="topic">Topic name.</param>
    /// <param name="partition">Read one partition, or null for all.</param>
    /// <param name="from">Where to start.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<ConsumerRegistration> RegisterConsumerAsync(string topic, int? partition, ConsumerStart from, CancellationToken cancellationToken);

    /// <summary>A consumer's committed position and lag in each partition it reads.</summary>
    /// <param name="consumerId">The consumer.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<IReadOnlyList<PartitionLag>> GetPositionsAsync(long consumerId, CancellationToken cancellationToken);

    /// <summary>Commits positions (the next offset to read, per partition); <see cref="QueueConflictException"/> for an offset outside the log.</summary>
    /// <param name="consumerId">The consumer.</param>
    /// <param name="positions">Partition and next offset, one per partition.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<IReadOnlyList<PartitionLag>> CommitAsync(long consumerId, IReadOnlyList<MessageOffset> positions, CancellationToken cancellationToken);
}
