using Queue.Core.Diagnostics;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;

namespace Queue.Core.Edge;

// The /v1 requests: batches, fetch by offset with long-poll, consumer positions and commits.
// Same rules as the seed requests: everything is validated before the first ask, so bad input
// changes nothing.
public sealed partial class QueueFrontend
{
    /// <summary>Most messages one fetch returns, whatever <c>max</c> asks for.</summary>
    public const int MaxFetchMessages = 10_000;

    /// <summary>Most messages one produce batch may carry.</summary>
    public const int MaxBatchMessages = 10_000;

    public async Task<IReadOnlyList<TopicInfo>> ListTopicInfosAsync(CancellationToken cancellationToken) =>
        (await Catalog(ListTopics.Instance, cancellationToken)).Topics;

    /// <summary>Each partition's log start and high-water mark, read from its owner.</summary>
    public async Task<IReadOnlyList<PartitionState>> DescribePartitionsAsync(TopicInfo topic, CancellationToken cancellationToken)
    {
        var deadline = Deadline.Start(requestTimeout);
        var states = await Task.WhenAll(Enumerable.Range(0, topic.Partitions).Select(async p =>
        {
            var fetched = await AskAsync(new PartitionId(topic.Name, p), new FetchMessages(0, 0), deadline, cancellationToken);
            return new PartitionState(p, fetched.LogStart, fetched.HighWatermark);
        }));
        return states;
    }

    /// <summary>The topic as the catalogue has it now (not the cache: retention changes).</summary>
    public async Task<TopicInfo> DescribeTopicAsync(string? name, CancellationToken cancellationToken)
    {
        ValidateTopicName(name);
        var topic = (await Catalog(new GetTopic(name!), cancellationToken)).Topic
            ?? throw new QueueException(QueueErrorKind.NotFound, $"Topic '{name}' does not exist");
        _topics[topic.Name] = topic;
        return topic;
    }

    /// <summary>
    /// Changes a topic's retention (PATCH): null leaves a limit as it is, 0 removes it, a positive
    /// value replaces it. The catalogue stores the change first; then every partition is told and
    /// must confirm, so after a success answer every partition applies the new policy. A partition
    /// that does not confirm in time gets it when it next starts or refreshes
    /// (queue.retention.refresh-interval); the answer is then 503 and repeating the PATCH is harmless.
    /// </summary>
    public async Task<TopicInfo> SetRetentionAsync(string? name, long? retentionMs, long? retentionMessages, CancellationToken cancellationToken)
    {
        ValidateTopicName(name);
        if (retentionMs is < 0 || retentionMessages is < 0)
        {
            throw new QueueException(QueueErrorKind.BadRequest, "Retention limits must not be negative");
        }
        var topic = (await Catalog(new SetTopicRetention(name!, retentionMs, retentionMessages), cancellationToken)).Topic
            ?? throw new QueueException(QueueErrorKind.NotFound, $"Topic '{name}' does not exist");
        _topics[topic.Name] = topic;
        var deadline = Deadline.Start(requestTimeout);
        var told = await Task.WhenAll(Enumerable.Range(0, topic.Partitions).Select(async p =>
        {
            try
            {
                await AskAsync(new PartitionId(topic.Name, p), new ApplyRetention(topic.Retention), deadline, cancellationToken);
                return -1;
            }
            catch (QueueException ex) when (ex.Kind is QueueErrorKind.Unavailable or QueueErrorKind.Overloaded)
            {
                return p;
            }
        }));
        var missed = told.Where(p => p >= 0).ToList();
        if (missed.Count > 0)
        {
            throw new QueueException(QueueErrorKind.Unavailable,
                $"Retention of topic '{topic.Name}' is stored, but partition(s) {string.Join(", ", missed)} did not confirm it in time; "
                + "they apply it when they next start or refresh their policy. Repeat the request to confirm");
        }
        return topic;
    }

    /// <summary>Registers a producer on an existing topic (unlike the seed API, /v1 never creates topics implicitly).</summary>
    public async Task<ProducerInfo> RegisterProducerV1Async(string? topicName, int? partition, CancellationToken cancellationToken)
    {
        var topic = await GetTopicAsync(topicName, cancellationToken);
        ValidatePartition(topic, partition);
        return await RegisterProducerAsync(topic.Name, partition, cancellationToken);
    }

    public async Task<ConsumerInfo> GetConsumerAsync(long consumerId, CancellationToken cancellationToken)
    {
        if (_consumers.TryGetValue(consumerId, out var cached))
        {
            return cached;
        }
        var consumer = (await Catalog(new GetConsumer(consumerId), cancellationToken)).Consumer
            ?? throw new QueueException(QueueErrorKind.NotFound, $"Consumer {consumerId} is not registered");
        _consumers[consumer.Id] = consumer;
        return consumer;
    }

    /// <summary>
    /// Appends a batch. Messages for one partition are appended together, in request order, in one
    /// journal write; a batch spanning partitions is atomic per partition only. With a producer id
    /// and sequence number the batch is idempotent: resending the same sequence (a retry after a
    /// timeout or 503) returns the first attempt's offsets and appends nothing.
    /// </summary>
    public async Task<BatchProduceResult> ProduceBatchAsync(
        string? topicName, long? producerId, long? sequence, IReadOnlyList<BatchItem>? items, CancellationToken cancellationToken)
    {
        var startedAt = QueueMetrics.Now();
        var topic = await GetTopicAsync(topicName, cancellationToken);
        if (items is null || items.Count == 0)
        {
            throw new QueueException(QueueErrorKind.BadRequest, "Field 'messages' must hold at least one message");
        }
        if (items.Count > MaxBatchMessages)
        {
            throw new QueueException(QueueErrorKind.TooLarge, $"A batch holds at most {MaxBatchMessages} messages; this one has {items.Count}");
        }
        if (sequence is { } seq && (producerId is null || seq < 0))
        {
            throw new QueueException(QueueErrorKind.BadRequest,
                producerId is null ? "Field 'sequence' needs a 'producer_id'" : $"Field 'sequence' must be non-negative, got {seq}");
        }
        ProducerInfo producer;
        if (producerId is { } pid)
        {
            producer = await FindProducerAsync(pid, cancellationToken);
            if (producer.Topic != topic.Name)
            {
                throw new QueueException(QueueErrorKind.BadRequest, $"Producer {pid} is not registered for topic '{topic.Name}'");
            }
        }
        else
        {
            // Anonymous produce: id 0 is never handed out, and it has no partition of its own.
            producer = new ProducerInfo(0, topic.Name, null);
        }

        // Key-less messages of one batch go to one partition (Kafka's sticky partitioner): the
        // batch stays one journal write, and round-robin still spreads load across batches. An
        // idempotent batch derives it from its sequence number instead, so a retry lands where
        // the original did and is recognised there.
        int? sticky = sequence is { } stable && producer.Partition is null
            ? (int)((producer.Id + stable) % topic.Partitions)
            : null;
        var targets = new int[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            try
            {
                ValidateMessage(item.Value);
                targets[i] = item.Partition is null && item.Key is null && producer.Partition is null
                    ? sticky ??= ChoosePartition(topic, producer, null, null)
                    : ChoosePartition(topic, producer, item.Partition, item.Key);
            }
            catch (QueueException ex)
            {
                throw new QueueException(ex.Kind, $"Message {i}: {ex.Message}");
            }
        }

        var groups = Enumerable.Range(0, items.Count).GroupBy(i => targets[i]).ToList();
        var deadline = Deadline.Start(requestTimeout);
        var replies = await Task.WhenAll(groups.Select(group =>
        {
            var append = new AppendMessages(
                group.Select(i => new ProduceItem(items[i].Value!, producer.Id)).ToList(),
                sequence is { } s ? new ProducerSequence(producer.Id, s) : null);
            return AskOrShedAsync(new PartitionId(topic.Name, group.Key), append, deadline, cancellationToken);
        }));

        var offsets = new ProduceResult[items.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            var reply = replies[g];
            var indexes = groups[g].ToList();
            if (reply.Status == AppendStatus.StaleSequence)
            {
                throw new QueueException(QueueErrorKind.Conflict,
                    $"Sequence {sequence} of producer {producer.Id} is older than its last batch ({reply.LastSequence}) in partition {groups[g].Key}; nothing was written there");
            }
            if (reply.Status == AppendStatus.Duplicate && reply.Count != indexes.Count)
            {
                throw new QueueException(QueueErrorKind.Conflict,
                    $"Sequence {sequence} of producer {producer.Id} was already used for a batch of {reply.Count} messages in partition {groups[g].Key}, not {indexes.Count}");
            }
            for (var k = 0; k < indexes.Count; k++)
            {
                offsets[indexes[k]] = new ProduceResult(groups[g].Key, reply.FirstOffset + k);
            }
        }
        var appended = replies.Where(r => r.Status != AppendStatus.Duplicate).Sum(r => r.Count);
        QueueMetrics.MessagesProduced(topic.Name, appended, startedAt);
        return new BatchProduceResult(offsets, replies.All(r => r.Status == AppendStatus.Duplicate));
    }

    /// <summary>
    /// Reads committed messages of one partition from <paramref name="offset"/>. When there are none
    /// and <paramref name="wait"/> is positive, waits (without holding the partition) until one is
    /// committed or the wait ends, whichever comes first; an empty answer after the wait is normal.
    /// </summary>
    public async Task<FetchResult> FetchAsync(string? topicName, int partition, long offset, int max, TimeSpan wait, CancellationToken cancellationToken)
    {
        var startedAt = QueueMetrics.Now();
        var result = await FetchUnmeteredAsync(topicName, partition, offset, max, wait, cancellationToken);
        QueueMetrics.MessagesConsumed(topicName!, result.Messages.Count, startedAt);
        return result;
    }

    private async Task<FetchResult> FetchUnmeteredAsync(string? topicName, int partition, long offset, int max, TimeSpan wait, CancellationToken cancellationToken)
    {
        var topic = await GetTopicAsync(topicName, cancellationToken);
        RequirePartition(topic, partition);
        ValidateFetch(offset, max);
        var id = new PartitionId(topic.Name, partition);
        var fetched = await AskAsync(id, new FetchMessages(offset, max), Deadline.Start(requestTimeout), cancellationToken);
        if (fetched.Messages.Count > 0 || wait <= TimeSpan.Zero)
        {
            return Answer(fetched);
        }
        if (!await WaitForAnyAsync([(id, Math.Max(offset, fetched.LogStart))], wait, cancellationToken))
        {
            return Answer(fetched);
        }
        fetched = await AskAsync(id, new FetchMessages(offset, max), Deadline.Start(requestTimeout), cancellationToken);
        return Answer(fetched);

        FetchResult Answer(MessagesFetched f) =>
            new(partition, f.Messages, f.LogStart, f.HighWatermark, FetchResult.SkippedFrom(offset, f.Messages, f.LogStart));
    }

    /// <summary>Every registered consumer, by id (the catalogue's list; not cached, it grows).</summary>
    public async Task<IReadOnlyList<ConsumerInfo>> ListConsumersAsync(CancellationToken cancellationToken) =>
        (await Catalog(ListConsumers.Instance, cancellationToken)).Consumers;

    /// <summary>The consumer's committed position in each partition it reads.</summary>
    public async Task<(ConsumerInfo Consumer, IReadOnlyList<PartitionPosition> Positions)> PositionsAsync(long consumerId, CancellationToken cancellationToken)
    {
        var consumer = await GetConsumerAsync(consumerId, cancellationToken);
        var topic = await GetTopicAsync(consumer.Topic, cancellationToken);
        var deadline = Deadline.Start(requestTimeout);
        var positions = await Task.WhenAll(PartitionsOf(topic, consumer.Partition).Select(async p =>
        {
            var backlog = await AskAsync(new PartitionId(topic.Name, p), new GetBacklog(consumer.Id, consumer.From), deadline, cancellationToken);
            return new PartitionPosition(p, backlog.Position, backlog.HighWatermark);
        }));
        return (consumer, positions);
    }

    /// <summary>
    /// Moves the consumer's position in one partition to <paramref name="offset"/> (the next offset
    /// it will read), after the commit is durable. Any offset within the log is accepted.
    /// </summary>
    public async Task<PartitionPosition> CommitAsync(long consumerId, int? partition, long offset, CancellationToken cancellationToken)
    {
        var consumer = await GetConsumerAsync(consumerId, cancellationToken);
        var topic = await GetTopicAsync(consumer.Topic, cancellationToken);
        var target = partition ?? consumer.Partition ?? (topic.Partitions == 1 ? 0
            : throw new QueueException(QueueErrorKind.BadRequest, $"Field 'partition' is required: topic '{topic.Name}' has {topic.Partitions} partitions"));
        ValidateConsumerPartition(topic, consumer, target);
        var committed = await AskAsync(new PartitionId(topic.Name, target), new CommitPosition(consumer.Id, offset), Deadline.Start(requestTimeout), cancellationToken);
        if (!committed.Accepted)
        {
            throw new QueueException(QueueErrorKind.Conflict,
                $"Offset {offset} is outside partition {target} of topic '{topic.Name}', which holds offsets {committed.LogStart} to {committed.HighWatermark} (the high-water mark is a valid position)");
        }
        return new PartitionPosition(target, committed.Position, committed.HighWatermark);
    }

    /// <summary>
    /// Reads up to <paramref name="max"/> messages from the consumer's committed positions without
    /// moving them (commit moves them), visiting its partitions round-robin; long-polls all of them
    /// when none has anything.
    /// </summary>
    public async Task<IReadOnlyList<ConsumeResult>> FetchForConsumerAsync(long consumerId, int max, TimeSpan wait, CancellationToken cancellationToken)
    {
        var startedAt = QueueMetrics.Now();
        var (topic, results) = await FetchForConsumerUnmeteredAsync(consumerId, max, wait, cancellationToken);
        QueueMetrics.MessagesConsumed(topic, results.Count, startedAt);
        return results;
    }

    private async Task<(string Topic, IReadOnlyList<ConsumeResult> Results)> FetchForConsumerUnmeteredAsync(long consumerId, int max, TimeSpan wait, CancellationToken cancellationToken)
    {
        ValidateFetch(0, max);
        var (consumer, positions) = await PositionsAsync(consumerId, cancellationToken);
        var results = await FetchFromPositionsAsync(consumer, positions, max, cancellationToken);
        if (results.Count > 0 || wait <= TimeSpan.Zero)
        {
            return (consumer.Topic, results);
        }
        var awaited = positions.Select(p => (new PartitionId(consumer.Topic, p.Partition), p.Position)).ToList();
        if (!await WaitForAnyAsync(awaited, wait, cancellationToken))
        {
            return (consumer.Topic, []);
        }
        // Read the positions again: the high-water marks in the old ones say "nothing to read".
        (consumer, positions) = await PositionsAsync(consumerId, cancellationToken);
        return (consumer.Topic, await FetchFromPositionsAsync(consumer, positions, max, cancellationToken));
    }

    private async Task<List<ConsumeResult>> FetchFromPositionsAsync(
        ConsumerInfo consumer, IReadOnlyList<PartitionPosition> positions, int max, CancellationToken cancellationToken)
    {
        var results = new List<ConsumeResult>();
        var deadline = Deadline.Start(requestTimeout);
        foreach (var position in positions)
        {
            if (results.Count >= max)
            {
                break;
            }
            if (position.Lag == 0)
            {
                continue;
            }
            var fetched = await AskAsync(new PartitionId(consumer.Topic, position.Partition),
                new FetchMessages(position.Position, max - results.Count), deadline, cancellationToken);
            results.AddRange(fetched.Messages.Select(m => new ConsumeResult(position.Partition, m)));
        }
        return results;
    }

    /// <summary>
    /// True once any of the partitions has a committed message at its offset or beyond; false
    /// when the wait ended first. A wait longer than most of the request timeout is made of
    /// shorter ones: a wait on a remote owner is one transport request, which the transport (and
    /// the owner's node) would otherwise end after the request timeout as a failure, not as
    /// "nothing yet".
    /// </summary>
    private async Task<bool> WaitForAnyAsync(IReadOnlyList<(PartitionId Partition, long Offset)> awaited, TimeSpan wait, CancellationToken cancellationToken)
    {
        var slice = TimeSpan.FromTicks(requestTimeout.Ticks * 4 / 5);
        var end = Deadline.Start(wait);
        while (true)
        {
            var left = end.Remaining();
            var step = left < slice ? left : slice;
            var stepEnd = Deadline.Start(step);
            if (await WaitOnceForAnyAsync(awaited, step, cancellationToken))
            {
                return true;
            }
            // Ended early (a partition stopped or moved): let the caller fetch again, which finds
            // the new owner, rather than waiting on the old one in a loop.
            if (end.IsOver || !stepEnd.IsOver)
            {
                return false;
            }
        }
    }

    /// <summary>One wait of at most <paramref name="wait"/>; the waits that lose are cancelled, so their partitions drop them.</summary>
    private async Task<bool> WaitOnceForAnyAsync(IReadOnlyList<(PartitionId Partition, long Offset)> awaited, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var losers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var offsets = new Dictionary<Task<MessagesAvailable>, long>();
        foreach (var (partition, offset) in awaited)
        {
            offsets[backend.AskPartitionAsync(partition, new WaitForMessages(offset), wait, losers.Token)] = offset;
        }
        var waits = offsets.Keys.ToList();
        try
        {
            while (waits.Count > 0)
            {
                var done = await Task.WhenAny(waits);
                waits.Remove(done);
                try
                {
                    // A partition that stopped answers with the offset itself: nothing new there.
                    if ((await done).HighWatermark > offsets[done])
                    {
                        return true;
                    }
                }
                catch (QueueException ex) when (ex.Kind == QueueErrorKind.Unavailable)
                {
                    // The wait ran out on this partition (or it is moving); the others run out
                    // at the same time, and the caller's next fetch finds any new owner.
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
            }
            return false;
        }
        finally
        {
            await losers.CancelAsync();
            // Observe the cancelled losers so none surfaces as an unobserved task exception.
            foreach (var loser in waits)
            {
                _ = loser.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// An ask that may be shed: a partition whose queue is full answers "overloaded" at once
    /// (429 on /v1) rather than letting requests pile up that would time out anyway; a client
    /// that backs off helps it more.
    /// </summary>
    private Task<TReply> AskOrShedAsync<TReply>(PartitionId partition, IPartitionRequest<TReply> message, Deadline deadline, CancellationToken cancellationToken) =>
        AskAsync(partition, message, deadline, cancellationToken);

    private static void RequirePartition(TopicInfo topic, int partition)
    {
        if (partition < 0 || partition >= topic.Partitions)
        {
            throw new QueueException(QueueErrorKind.NotFound,
                $"Topic '{topic.Name}' has no partition {partition}: it has partitions 0 to {topic.Partitions - 1}");
        }
    }

    private static void ValidateFetch(long offset, int max)
    {
        if (offset < 0)
        {
            throw new QueueException(QueueErrorKind.BadRequest, $"Offset must be non-negative, got {offset}");
        }
        if (max < 1 || max > MaxFetchMessages)
        {
            throw new QueueException(QueueErrorKind.BadRequest, $"Max must be between 1 and {MaxFetchMessages}, got {max}");
        }
    }
}
