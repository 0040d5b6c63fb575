using Microsoft.Extensions.Hosting;
using Queue.Core.Cluster;
using Queue.Core.Configuration;

namespace Queue.Http.Cluster;

/// <summary>Runs the membership client for the host's lifetime; on a graceful stop the node leaves the cluster first.</summary>
public sealed class MembershipService(MembershipClient membership, ClusterSettings settings) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        membership.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A leave moves this node's shards before it goes; give it the hand-off time, no more.
        await membership.LeaveAsync(settings.HandOffTimeout + settings.HandOffTimeout, cancellationToken);
        await membership.DisposeAsync();
    }
}
