using System.Net.Http.Json;
using Queue.Client.Internal;

namespace Queue.Client.Transport;

// The consumer-group requests over /v1 (IQueueGroupTransport).
public sealed partial class HttpQueueTransport
{
    /// <inheritdoc />
    public async Task<ConsumerGroupAssignment> JoinGroupAsync(string group, string topic, TimeSpan sessionTimeout, ConsumerStart from, string? memberId, CancellationToken cancellationToken)
    {
        var body = JsonContent.Create(new WireJoinGroup(topic, (long)sessionTimeout.TotalMilliseconds, from == ConsumerStart.Earliest ? "earliest" : "latest", memberId),
            WireJsonContext.Default.WireJoinGroup);
        var reply = await SendAsync(HttpMethod.Post, $"v1/groups/{Escape(group)}/members", body, WireJsonContext.Default.WireGroupAssignment, TimeSpan.Zero, cancellationToken);
        return ToAssignment(reply);
    }

    /// <inheritdoc />
    public async Task<ConsumerGroupAssignment> HeartbeatAsync(string group, string memberId, long generation, CancellationToken cancellationToken)
    {
        var body = JsonContent.Create(new WireHeartbeat(generation), WireJsonContext.Default.WireHeartbeat);
        var reply = await SendAsync(HttpMethod.Post, $"v1/groups/{Escape(group)}/members/{Escape(memberId)}/heartbeat", body,
            WireJsonContext.Default.WireGroupAssignment, TimeSpan.Zero, cancellationToken);
        return ToAssignment(reply);
    }

    /// <inheritdoc />
    public async Task LeaveGroupAsync(string group, string memberId, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_requestTimeout);
        var path = $"v1/groups/{Escape(group)}/members/{Escape(memberId)}";
        try
        {
            using var response = await _http.DeleteAsync(path, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw await RefusalAsync(response, timeout.Token);
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new QueueUnavailableException($"DELETE {path}: no answer from {_http.BaseAddress} within {_requestTimeout.TotalMilliseconds:0} ms", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new QueueUnavailableException($"DELETE {path}: cannot reach {_http.BaseAddress}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async Task CommitGroupAsync(string group, string memberId, long generation, IReadOnlyList<MessageOffset> offsets, CancellationToken cancellationToken)
    {
        var body = JsonContent.Create(new WireGroupCommit(memberId, generation, offsets.Select(o => new WireOffset(o.Partition, o.Offset)).ToList()),
            WireJsonContext.Default.WireGroupCommit);
        await SendAsync(HttpMethod.Post, $"v1/groups/{Escape(group)}/commit", body, WireJsonContext.Default.WireGroupDescription, TimeSpan.Zero, cancellationToken);
    }

    private static ConsumerGroupAssignment ToAssignment(WireGroupAssignment reply) =>
        new(reply.MemberId, reply.Generation, reply.Partitions, reply.Offsets.Select(o => new MessageOffset(o.Partition, o.Offset)).ToList());
}
