using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Core.Transport;

namespace Queue.Core.Cluster;

/// <summary>
/// The catalogue as seen from an edge-only node, which has no database: every call is a request
/// to a broker (any one will do; they share the database), trying the next when one cannot be
/// reached. Only calls that change nothing or are safe to repeat are retried on another broker.
/// </summary>
public sealed class RemoteCatalog(RoutingTableHolder routing, IReadOnlyList<string> seedNodes, TransportClientPool peers, TimeSpan requestTimeout) : IMetadataJournal
{
    private int _next;

    public async Task<IReadOnlyList<TopicInfo>> ListTopicsAsync(CancellationToken cancellationToken) =>
        (await AskAsync<TopicList>(new ListTopics(), retry: true, cancellationToken)).Topics;

    public async Task<TopicInfo?> GetTopicAsync(string name, CancellationToken cancellationToken) =>
        (await AskAsync<TopicLookup>(new GetTopic(name), retry: true, cancellationToken)).Topic;

    public async Task<(TopicInfo Topic, bool Created)> CreateTopicAsync(string name, int partitions, CancellationToken cancellationToken)
    {
        // Creating is idempotent by name (the second attempt reports "exists"), so retrying is safe.
        var created = await AskAsync<TopicCreated>(new CreateTopic(name, partitions), retry: true, cancellationToken);
        return (created.Topic, created.Created);
    }

    public Task<ProducerInfo> RegisterProducerAsync(string topic, int? partition, CancellationToken cancellationToken) =>
        AskAsync<ProducerInfo>(new RegisterProducer(topic, partition), retry: false, cancellationToken);

    public Task<ConsumerInfo> RegisterConsumerAsync(string topic, int? partition, StartFrom from, CancellationToken cancellationToken) =>
        AskAsync<ConsumerInfo>(new RegisterConsumer(topic, partition, from), retry: false, cancellationToken);

    public async Task<ProducerInfo?> GetProducerAsync(long id, CancellationToken cancellationToken) =>
        (await AskAsync<ProducerLookup>(new GetProducer(id), retry: true, cancellationToken)).Producer;

    public async Task<ConsumerInfo?> GetConsumerAsync(long id, CancellationToken cancellationToken) =>
        (await AskAsync<ConsumerLookup>(new GetConsumer(id), retry: true, cancellationToken)).Consumer;

    private async Task<T> AskAsync<T>(object request, bool retry, CancellationToken cancellationToken)
    {
        var brokers = routing.Current.Members.Where(m => m.Roles.Contains("broker")).Select(m => m.Address).ToList();
        if (brokers.Count == 0)
        {
            brokers = [.. seedNodes];
        }
        Exception? last = null;
        var start = Interlocked.Increment(ref _next);
        var attempts = retry ? brokers.Count : Math.Min(1, brokers.Count);
        for (var i = 0; i < attempts; i++)
        {
            var address = brokers[(int)((uint)(start + i) % (uint)brokers.Count)];
            try
            {
                return (T)(await peers.Get(address).RequestAsync(request, requestTimeout, cancellationToken))!;
            }
            catch (TransportUnavailableException ex)
            {
                last = ex;
                if (ex.MayHaveBeenProcessed && !retry)
                {
                    break;
                }
            }
        }
        throw new JournalUnavailableException($"no broker could serve the catalogue: {last?.Message ?? "no broker known"}", last);
    }
}
