using Microsoft.Extensions.Logging;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Core.Transport;

namespace Queue.Core.Cluster;

/// <summary>
/// Every clustered node's link to the manager: finds it (the lease row for brokers, the seed
/// nodes for everyone), registers, heartbeats, and keeps the routing table current from the
/// heartbeat replies. It is also the node's <see cref="IRoutingRefresher"/>: after a "not the
/// owner" answer it asks the manager for the newest table.
/// </summary>
public sealed partial class MembershipClient(
    MemberAddress self,
    IReadOnlyList<string> seedNodes,
    Func<CancellationToken, Task<ManagerInfo>>? leaseLookup,
    RoutingTableHolder routing,
    TransportClientPool peers,
    TimeSpan heartbeatInterval,
    TimeSpan requestTimeout,
    ILogger<MembershipClient> logger) : IRoutingRefresher, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private ManagerInfo _manager = new("", "", 0);
    private bool _registered;
    private Task? _loop;
    private int _disposed;

    /// <summary>The manager as this node last knew it; empty node id when unknown.</summary>
    public ManagerInfo Manager => Volatile.Read(ref _manager);

    /// <summary>Registered with the current manager and holding a routing table: the node can route.</summary>
    public bool IsReady => Volatile.Read(ref _registered) && routing.HasTable;

    /// <summary>When the last heartbeat was acknowledged (UTC), for /ready and /cluster.</summary>
    public DateTimeOffset? LastAcknowledged { get; private set; }

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stopping.Token));

    /// <summary>Graceful leave: the manager hands this node's shards off, then forgets it.</summary>
    public async Task LeaveAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var manager = Manager;
        if (manager.NodeId.Length == 0 || !Volatile.Read(ref _registered))
        {
            return;
        }
        try
        {
            await peers.Get(manager.Address).RequestAsync(new LeaveCluster(self.NodeId), timeout, cancellationToken);
            Volatile.Write(ref _registered, false);
            LogLeft(self.NodeId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Leaving is a courtesy: the failure detector removes us anyway, just later.
            LogLeaveFailed(self.NodeId, ex.Message);
        }
    }

    public async Task RefreshAsync(PartitionId partition, CancellationToken cancellationToken)
    {
        var known = routing.Current.Version;
        var manager = Manager;
        if (manager.NodeId.Length > 0)
        {
            try
            {
                if (await peers.Get(manager.Address).RequestAsync(new GetRoutingTable(known), requestTimeout, cancellationToken) is RoutingTable table
                    && routing.TryUpdate(table))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The manager may be moving too; the pause below lets the next heartbeat find it.
            }
        }
        await routing.WaitForNewerAsync(TimeSpan.FromMilliseconds(100), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // Disposed by its hosted service on stop and again by the container: once is enough.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(heartbeatInterval);
        do
        {
            try
            {
                await BeatAsync(cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Lost the manager (it died, moved, or we were cut off): look it up again next
                // time. Routing keeps the last table meanwhile; requests to owners still work.
                if (Manager.NodeId.Length > 0)
                {
                    LogManagerLost(Manager.NodeId, ex.Message);
                }
                Volatile.Write(ref _manager, new ManagerInfo("", "", 0));
                Volatile.Write(ref _registered, false);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        var manager = Manager;
        if (manager.NodeId.Length == 0)
        {
            manager = await FindManagerAsync(cancellationToken);
            if (manager.NodeId.Length == 0)
            {
                return;
            }
            Volatile.Write(ref _manager, manager);
            Volatile.Write(ref _registered, false);
        }
        var client = peers.Get(manager.Address);
        if (!Volatile.Read(ref _registered))
        {
            var registered = (MemberRegistered)(await client.RequestAsync(new RegisterMember(self), requestTimeout, cancellationToken))!;
            routing.TryUpdate(registered.Table);
            Volatile.Write(ref _registered, true);
            LastAcknowledged = DateTimeOffset.UtcNow;
            LogRegistered(self.NodeId, manager.NodeId, registered.ManagerEpoch);
            return;
        }
        var ack = (HeartbeatAck)(await client.RequestAsync(new Heartbeat(self.NodeId, routing.Current.Version), requestTimeout, cancellationToken))!;
        if (ack.Table is not null)
        {
            routing.TryUpdate(ack.Table);
        }
        if (!ack.Registered)
        {
            // The manager does not know us (new manager, or we were declared down): register again.
            Volatile.Write(ref _registered, false);
            return;
        }
        LastAcknowledged = DateTimeOffset.UtcNow;
    }

    private async Task<ManagerInfo> FindManagerAsync(CancellationToken cancellationToken)
    {
        if (leaseLookup is not null)
        {
            try
            {
                var leased = await leaseLookup(cancellationToken);
                if (leased.NodeId.Length > 0)
                {
                    return leased;
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogLookupFailed("lease", ex.Message);
            }
        }
        foreach (var seed in seedNodes)
        {
            try
            {
                if (await peers.Get(seed).RequestAsync(new WhoIsManager(), requestTimeout, cancellationToken) is ManagerInfo { NodeId.Length: > 0 } known)
                {
                    return known;
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogLookupFailed(seed, ex.Message);
            }
        }
        return new ManagerInfo("", "", 0);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeId} registered with manager {Manager} (epoch {Epoch})")]
    private partial void LogRegistered(string nodeId, string manager, long epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost contact with manager {Manager}: {Reason}; looking it up again")]
    private partial void LogManagerLost(string manager, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Manager lookup via {Source} failed: {Reason}")]
    private partial void LogLookupFailed(string source, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeId} left the cluster")]
    private partial void LogLeft(string nodeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeId} could not leave gracefully: {Reason}")]
    private partial void LogLeaveFailed(string nodeId, string reason);
}
