using Microsoft.Extensions.Hosting;
using Queue.Core.Cluster;
using Queue.Core.Protocol;
using Queue.Node.Hosting;

namespace Queue.Node.Cluster;

/// <summary>
/// Stops local partition actors whose shard changed owner or epoch in a new routing table: an
/// actor writes under the epoch it recovered with, so after a change it must recover again
/// (here, under the new epoch) or stop serving (the shard went elsewhere).
/// </summary>
internal sealed class RoutingWatcher(RoutingTableHolder routing, QueueNode partitions, string selfNodeId) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        routing.Changed += OnChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        routing.Changed -= OnChanged;
        return Task.CompletedTask;
    }

    private void OnChanged(RoutingTable previous, RoutingTable current)
    {
        var before = previous.Allocations.ToDictionary(a => a.Shard);
        var changed = current.Allocations
            .Where(a => !before.TryGetValue(a.Shard, out var old) || old != a)
            .Where(a => a.Owner != selfNodeId || before.ContainsKey(a.Shard))
            .Select(a => a.Shard)
            .ToHashSet();
        if (changed.Count > 0 || previous.ShardCount != current.ShardCount)
        {
            _ = partitions.StopAsync(p => changed.Contains(ShardMapping.ShardOf(p, current.ShardCount)));
        }
    }
}
