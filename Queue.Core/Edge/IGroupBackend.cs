using Queue.Core.Protocol;

namespace Queue.Core.Edge;

/// <summary>How the request logic reaches consumer groups (the "groups" shard region); failures come out as <see cref="QueueException"/>, as for <see cref="IQueueBackend"/>.</summary>
public interface IGroupBackend
{
    Task<TReply> AskGroupAsync<TReply>(string group, IGroupRequest<TReply> request, TimeSpan timeout, CancellationToken cancellationToken);
}
