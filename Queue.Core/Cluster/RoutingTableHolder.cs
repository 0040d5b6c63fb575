using Queue.Core.Log;
using Queue.Core.Protocol;

namespace Queue.Core.Cluster;

/// <summary>
/// This node's copy of the routing table. Replaced whole, by compare-and-swap, and only by a
/// newer version, so readers on any thread see one consistent table without locks and an old
/// table arriving late never overwrites a newer one.
/// </summary>
public sealed class RoutingTableHolder
{
    private Snapshot _current = new(RoutingTable.Empty);
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Raised after a newer table is installed, with the previous and the new one.</summary>
    public event Action<RoutingTable, RoutingTable>? Changed;

    public RoutingTable Current => Volatile.Read(ref _current).Table;

    /// <summary>True once a table with allocations has arrived.</summary>
    public bool HasTable => Current.Version > 0;

    /// <summary>Installs <paramref name="table"/> if it is newer than the current one.</summary>
    public bool TryUpdate(RoutingTable table)
    {
        while (true)
        {
            var current = Volatile.Read(ref _current);
            if (table.Version <= current.Table.Version)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _current, new Snapshot(table), current) == current)
            {
                Changed?.Invoke(current.Table, table);
                Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
                return true;
            }
        }
    }

    /// <summary>Where <paramref name="partition"/> lives now, or null when its shard has no owner yet.</summary>
    public ShardAllocation? AllocationOf(PartitionId partition)
    {
        var snapshot = Volatile.Read(ref _current);
        return snapshot.ByShard.GetValueOrDefault(ShardMapping.ShardOf(partition, snapshot.Table.ShardCount));
    }

    public ShardAllocation? AllocationOfShard(int shard) => Volatile.Read(ref _current).ByShard.GetValueOrDefault(shard);

    public int ShardOf(PartitionId partition) => ShardMapping.ShardOf(partition, Current.ShardCount);

    public MemberAddress? MemberOf(string nodeId) => Volatile.Read(ref _current).Members.GetValueOrDefault(nodeId);

    /// <summary>Completes when a newer table than the present one is installed, or when the wait ends.</summary>
    public async Task<bool> WaitForNewerAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var signal = Volatile.Read(ref _changed).Task;
        try
        {
            await signal.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Snapshot(RoutingTable table)
    {
        public RoutingTable Table { get; } = table;

        public Dictionary<int, ShardAllocation> ByShard { get; } = table.Allocations.ToDictionary(a => a.Shard);

        public Dictionary<string, MemberAddress> Members { get; } = table.Members.ToDictionary(m => m.NodeId, StringComparer.Ordinal);
    }
}
