using Queue.Client.Internal;
using Queue.Client.Transport;

namespace Queue.Client;

/// <summary>Topic management: list, create, describe. Retryable failures are retried with back-off.</summary>
public sealed class QueueAdminClient
{
    private readonly IQueueTransport _transport;
    private readonly RetryPolicy _retry;

    internal QueueAdminClient(IQueueTransport transport, RetryPolicy retry)
    {
        _transport = transport;
        _retry = retry;
    }

    /// <summary>All topics with their partition counts.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<IReadOnlyList<TopicDescription>> ListTopicsAsync(CancellationToken cancellationToken = default) =>
        _retry.RunAsync(_transport.ListTopicsAsync, cancellationToken);

    /// <summary>Creates a topic.</summary>
    /// <param name="name">Letters, digits, '.', '_' and '-'.</param>
    /// <param name="partitions">Partition count; null for the server's default (1).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="QueueConflictException">The topic exists already.</exception>
    public Task<TopicDescription> CreateTopicAsync(string name, int? partitions = null, CancellationToken cancellationToken = default) =>
        _retry.RunAsync(ct => _transport.CreateTopicAsync(name, partitions, ct), cancellationToken);

    /// <summary>Creates a topic with retention (docs/retention.md): a message goes as soon as either set limit says so (older than retentionMs, or beyond the newest retentionMessages of its partition).</summary>
    /// <param name="name">Letters, digits, '.', '_' and '-'.</param>
    /// <param name="partitions">Partition count; null for the server's default (1).</param>
    /// <param name="retentionMs">Let go of messages older than this many milliseconds (at least 1); null for the server's queue.retention.ms.</param>
    /// <param name="retentionMessages">Keep at most this many newest messages per partition (at least 1); null for the server's queue.retention.messages.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="QueueConflictException">The topic exists already.</exception>
    public Task<TopicDescription> CreateTopicAsync(
        string name, int? partitions, long? retentionMs, long? retentionMessages, CancellationToken cancellationToken = default) =>
        _retry.RunAsync(ct => _transport.CreateTopicAsync(name, partitions, retentionMs, retentionMessages, ct), cancellationToken);

    /// <summary>
    /// Sets a topic's retention to exactly these limits (PATCH /v1/topics/{topic}); null = no such
    /// limit. Running partitions apply it at once; retried on 503 (safe: the same limits again).
    /// </summary>
    /// <param name="name">The topic.</param>
    /// <param name="retentionMs">Let go of messages older than this many milliseconds (at least 1), or null for no time limit.</param>
    /// <param name="retentionMessages">Keep at most this many newest messages per partition (at least 1), or null for no count limit.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="QueueNotFoundException">No such topic.</exception>
    public Task<TopicDescription> SetRetentionAsync(string name, long? retentionMs, long? retentionMessages, CancellationToken cancellationToken = default) =>
        _retry.RunAsync(ct => _transport.SetRetentionAsync(name, retentionMs, retentionMessages, ct), cancellationToken);

    /// <summary>Creates the topic unless it exists; either way returns it as the server has it (its partition count may differ from <paramref name="partitions"/>).</summary>
    /// <param name="name">Letters, digits, '.', '_' and '-'.</param>
    /// <param name="partitions">Partition count for a new topic; null for the server's default.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<TopicDescription> EnsureTopicAsync(string name, int? partitions = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await CreateTopicAsync(name, partitions, cancellationToken);
        }
        catch (QueueConflictException)
        {
            // Also covers a retried create whose first attempt succeeded unseen.
            return await DescribeTopicAsync(name, cancellationToken);
        }
    }

    /// <summary>A topic with each partition's log start and high-water mark.</summary>
    /// <param name="name">The topic.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="QueueNotFoundException">No such topic.</exception>
    public Task<TopicDescription> DescribeTopicAsync(string name, CancellationToken cancellationToken = default) =>
        _retry.RunAsync(ct => _transport.DescribeTopicAsync(name, ct), cancellationToken);
}
