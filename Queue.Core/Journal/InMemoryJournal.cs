using Queue.Core.Log;

namespace Queue.Core.Journal;

/// <summary>
/// The embedded default: the same contract as the PostgreSQL journal, kept in process memory.
/// Nothing survives a restart. One lock guards everything; it is held only for dictionary work,
/// never across an await, and nothing else is locked while it is held.
/// </summary>
public sealed class InMemoryJournal : IPartitionJournal, IMetadataJournal
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TopicInfo> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<long, ProducerInfo> _producers = new();
    private readonly Dictionary<long, ConsumerInfo> _consumers = new();
    private readonly Dictionary<PartitionId, PartitionData> _partitions = new();
    private long _nextProducerId = 1;
    private long _nextConsumerId = 1;

    public Task<IReadOnlyList<TopicInfo>> ListTopicsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<TopicInfo>>(_topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList());
        }
    }

    public Task<TopicInfo?> GetTopicAsync(string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_topics.GetValueOrDefault(name));
        }
    }

    public Task<(TopicInfo Topic, bool Created)> CreateTopicAsync(string name, int partitions, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_topics.TryGetValue(name, out var existing))
            {
                return Task.FromResult((existing, false));
            }
            var topic = new TopicInfo(name, partitions);
            _topics.Add(name, topic);
            return Task.FromResult((topic, true));
        }
    }

    public Task<ProducerInfo> RegisterProducerAsync(string topic, int? partition, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            RequireTopic(topic);
            var producer = new ProducerInfo(_nextProducerId++, topic, partition);
            _producers.Add(producer.Id, producer);
            return Task.FromResult(producer);
        }
    }

    public Task<ConsumerInfo> RegisterConsumerAsync(string topic, int? partition, StartFrom from, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            RequireTopic(topic);
            var consumer = new ConsumerInfo(_nextConsumerId++, topic, partition, from);
            _consumers.Add(consumer.Id, consumer);
            return Task.FromResult(consumer);
        }
    }

    public Task<ProducerInfo?> GetProducerAsync(long id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_producers.GetValueOrDefault(id));
        }
    }

    public Task<ConsumerInfo?> GetConsumerAsync(long id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_consumers.GetValueOrDefault(id));
        }
    }

    public Task<PartitionRecovery> RecoverAsync(PartitionId partition, long? epoch, int tailMessages, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var data = DataOf(partition);
            if (epoch is { } assigned)
            {
                if (assigned < data.Epoch)
                {
                    throw new JournalFencedException(partition, assigned, data.Epoch);
                }
                data.Epoch = assigned;
            }
            else
            {
                data.Epoch++;
            }
            var tailStart = Math.Max(0, data.Messages.Count - tailMessages);
            return Task.FromResult(new PartitionRecovery(
                data.Epoch,
                LogStart: 0,
                HighWatermark: data.Messages.Count,
                new Dictionary<long, long>(data.Positions),
                data.Messages.GetRange(tailStart, data.Messages.Count - tailStart))
            {
                Sequences = data.Sequences.Values.ToList(),
            });
        }
    }

    public Task WriteAsync(PartitionId partition, long epoch, PartitionWrite write, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var data = DataOf(partition);
            if (epoch != data.Epoch)
            {
                throw new JournalFencedException(partition, epoch, data.Epoch);
            }
            // Validate the whole write before changing anything: all or nothing.
            for (var i = 0; i < write.Messages.Count; i++)
            {
                if (write.Messages[i].Offset != data.Messages.Count + i)
                {
                    throw new InvalidOperationException(
                        $"partition {partition}: offset {write.Messages[i].Offset} written where {data.Messages.Count + i} was expected");
                }
            }
            data.Messages.AddRange(write.Messages);
            foreach (var (consumerId, position) in write.Positions)
            {
                data.Positions[consumerId] = position;
            }
            foreach (var sequence in write.Sequences)
            {
                data.Sequences[sequence.ProducerId] = sequence;
            }
            return Task.CompletedTask;
        }
    }

    public Task<IReadOnlyList<StoredMessage>> ReadAsync(PartitionId partition, long fromOffset, int max, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var messages = DataOf(partition).Messages;
            var start = (int)Math.Clamp(fromOffset, 0, messages.Count);
            var count = Math.Min(max, messages.Count - start);
            return Task.FromResult<IReadOnlyList<StoredMessage>>(messages.GetRange(start, count));
        }
    }

    private void RequireTopic(string topic)
    {
        if (!_topics.ContainsKey(topic))
        {
            throw new KeyNotFoundException($"topic '{topic}' does not exist");
        }
    }

    private PartitionData DataOf(PartitionId partition)
    {
        if (!_partitions.TryGetValue(partition, out var data))
        {
            data = new PartitionData();
            _partitions.Add(partition, data);
        }
        return data;
    }

    private sealed class PartitionData
    {
        public long Epoch;
        public readonly List<StoredMessage> Messages = [];
        public readonly Dictionary<long, long> Positions = new();
        public readonly Dictionary<long, ProducerBatchRecord> Sequences = new();
    }
}
