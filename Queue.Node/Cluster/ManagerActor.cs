using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Queue.Core.Actors;
using Queue.Core.Cluster;
using Queue.Core.Configuration;
using Queue.Core.Edge;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Core.Transport;

namespace Queue.Node.Cluster;

/// <summary>
/// The manager singleton, run on every broker and active on at most one: the holder of the lease
/// row. Handles <see cref="ManagerTick"/>, <see cref="HandOffFinished"/>, <see cref="RegisterMember"/>,
/// <see cref="Heartbeat"/>, <see cref="LeaveCluster"/>, <see cref="GetRoutingTable"/> and
/// <see cref="GetClusterState"/>. A thin host: decisions come from <see cref="ManagerLease"/>,
/// <see cref="MembershipState"/>, <see cref="CoordinatorState"/> and the allocation strategy;
/// every allocation is persisted (with the lease checked in the same transaction) before it is
/// announced. Nothing here blocks for longer than one database call: hand-offs run beside the
/// mailbox and report back with <see cref="HandOffFinished"/>.
/// </summary>
internal sealed partial class ManagerActor(
    MemberAddress self,
    ClusterSettings settings,
    ClusterStore store,
    IMetadataJournal catalog,
    IShardAllocationStrategy strategy,
    TransportClientPool peers,
    Func<IActorRef> selfRef,
    TimeProvider time,
    ILogger<ManagerActor> logger) : Actor
{
    // Routing-table versions from a later manager must beat every version of an earlier one, or
    // members would ignore the new manager's tables: the lease epoch is the high part.
    private const long VersionsPerTerm = 1_000_000;

    private readonly HealthPolicy _health = new(settings.UnreachableAfter, settings.DownAfter);
    private readonly Dictionary<int, string> _moving = [];
    private readonly Dictionary<string, List<Envelope>> _pendingLeaves = new(StringComparer.Ordinal);
    private readonly long _started = time.GetTimestamp();
    private ManagerLease _lease = ManagerLease.Candidate;
    private MembershipState _members = MembershipState.Empty;
    private CoordinatorState _coordinator = CoordinatorState.Empty;
    private RoutingTable _table = RoutingTable.Empty;
    private long _tableCounter;
    private TimeSpan _lastRenew;
    private TimeSpan _lastRebalance;
    private TimeSpan _lastFlush;

    private ManagerInfo Info => _lease.Phase == ManagerPhase.Manager ? new ManagerInfo(self.NodeId, self.Address, _lease.Epoch) : new ManagerInfo("", "", 0);

    protected override async ValueTask ReceiveAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        switch (envelope.Message)
        {
            case ManagerTick:
                await TickAsync(cancellationToken);
                break;
            case HandOffFinished finished:
                await HandOffFinishedAsync(finished, cancellationToken);
                break;
            case ReleaseLease:
                await ReleaseAsync(cancellationToken);
                envelope.Reply(true);
                break;
            case RegisterMember register:
                RequireManager();
                envelope.Reply(await RegisterAsync(register.Member, cancellationToken));
                break;
            case Heartbeat heartbeat:
                RequireManager();
                (_members, var known) = _members.Heartbeat(heartbeat.NodeId, time.GetUtcNow());
                envelope.Reply(new HeartbeatAck(_lease.Epoch, known, heartbeat.TableVersion < _table.Version ? _table : null));
                break;
            case LeaveCluster leave:
                RequireManager();
                await LeaveAsync(leave.NodeId, envelope, cancellationToken);
                break;
            case GetRoutingTable:
                RequireManager();
                // Asked after "no owner yet" for a new topic's partition: place it now.
                await ManageAsync(Now, cancellationToken);
                envelope.Reply(_table);
                break;
            case GetClusterState:
                RequireManager();
                envelope.Reply(new ClusterState(Info, _members.Members.Values.OrderBy(m => m.NodeId, StringComparer.Ordinal).ToList(), _table));
                break;
            default:
                envelope.Fail(new InvalidOperationException($"the manager does not handle {envelope.Message.GetType().Name}"));
                break;
        }
    }

    protected override ValueTask PostStopAsync()
    {
        StepDown("the node is stopping");
        return ValueTask.CompletedTask;
    }

    /// <summary>Gives the lease back so the next manager need not wait for it to lapse.</summary>
    private async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        if (_lease.Phase == ManagerPhase.Manager)
        {
            await store.ReleaseLeaseAsync(self.NodeId, _lease.Epoch, cancellationToken);
            StepDown("released the lease");
        }
    }

    private TimeSpan Now => time.GetElapsedTime(_started);

    private void RequireManager()
    {
        if (!_lease.MayAct(Now))
        {
            throw new QueueException(QueueErrorKind.Unavailable, $"node {self.NodeId} is not the manager");
        }
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        if (_lease.Phase != ManagerPhase.Manager)
        {
            var taken = await store.TryTakeLeaseAsync(self.NodeId, self.Address, settings.LeaseTtl, cancellationToken);
            if (taken is { } epoch)
            {
                _lease = _lease.Held(epoch, now, settings.LeaseTtl, settings.LeaseSafetyMargin);
                _lastRenew = now;
                await TakeOverAsync(cancellationToken);
            }
            return;
        }

        _lease = _lease.Tick(now);
        if (_lease.Phase == ManagerPhase.SteppingDown)
        {
            StepDown("the lease could not be renewed in time");
            return;
        }
        if (now - _lastRenew >= settings.LeaseRenewInterval)
        {
            var renewed = false;
            try
            {
                renewed = await store.RenewLeaseAsync(self.NodeId, _lease.Epoch, settings.LeaseTtl, cancellationToken);
            }
            catch (JournalUnavailableException ex)
            {
                // Keep acting while the lease still holds; Tick steps down when it runs out.
                LogRenewFailed(ex.Message);
                return;
            }
            if (!renewed)
            {
                StepDown("another node holds the lease");
                return;
            }
            _lease = _lease.Held(_lease.Epoch, now, settings.LeaseTtl, settings.LeaseSafetyMargin);
            _lastRenew = now;
        }
        await ManageAsync(now, cancellationToken);
    }

    private async Task TakeOverAsync(CancellationToken cancellationToken)
    {
        var utc = time.GetUtcNow();
        var members = await store.LoadMembersAsync(cancellationToken);
        // Members get a fresh window: their last persisted heartbeat is as old as the manager
        // change, and judging them by it would declare healthy nodes down.
        _members = MembershipState.Empty with
        {
            Members = ImmutableDictionary.CreateRange(StringComparer.Ordinal, members.Select(m => KeyValuePair.Create(m.NodeId,
                m.Status is MemberStatus.Up or MemberStatus.Unreachable ? m with { LastHeartbeat = utc, Status = MemberStatus.Up } : m))),
        };
        _coordinator = (await store.LoadAllocationsAsync(cancellationToken))
            .Aggregate(CoordinatorState.Empty, (state, a) => state.Updated(new ShardAllocated(a.Shard, a.Owner, a.Epoch)));
        _tableCounter = 0;
        _moving.Clear();
        LogBecameManager(self.NodeId, _lease.Epoch, members.Count, _coordinator.Allocations.Count);
        await ManageAsync(Now, cancellationToken);
        PublishTable(force: true);
    }

    private void StepDown(string reason)
    {
        if (_lease.Phase == ManagerPhase.Candidate)
        {
            return;
        }
        LogSteppedDown(self.NodeId, _lease.Epoch, reason);
        _lease = _lease.Lost();
        _members = MembershipState.Empty;
        _coordinator = CoordinatorState.Empty;
        _moving.Clear();
        foreach (var waiting in _pendingLeaves.Values.SelectMany(l => l))
        {
            waiting.Fail(new QueueException(QueueErrorKind.Unavailable, $"node {self.NodeId} stopped being the manager"));
        }
        _pendingLeaves.Clear();
    }

    /// <summary>One pass of the manager's duties: judge members, place unowned shards, move shards off dead brokers, rebalance.</summary>
    private async Task ManageAsync(TimeSpan now, CancellationToken cancellationToken)
    {
        var changedTable = false;
        (_members, var changed) = _members.Reassess(time.GetUtcNow(), _health);
        foreach (var member in changed)
        {
            LogMemberStatus(member.NodeId, member.Status.ToString());
            changedTable = true;
        }
        if (changed.Count > 0)
        {
            await store.SaveMembersAsync(changed, cancellationToken);
        }

        var hosts = _members.ShardHosts.ToList();
        if (hosts.Count > 0)
        {
            var partitions = await PartitionsByShardAsync(cancellationToken);
            // Only shards that hold partitions get a home, and they get it as topics appear
            // (Akka allocates on first use the same way): a cluster whose brokers start one by
            // one then spreads its first topic over all of them instead of piling every shard
            // onto whichever broker registered first.
            foreach (var shard in partitions.Keys.Order())
            {
                // Unowned, or owned by a member that is down or gone: place it now. A member
                // that is only unreachable keeps its shards for a while; it may come back.
                var needsHome = !_coordinator.Allocations.TryGetValue(shard, out var allocation)
                    || !_members.Members.TryGetValue(allocation.Owner, out var owner)
                    || owner.Status is MemberStatus.Down or MemberStatus.Left;
                if (needsHome && !_moving.ContainsKey(shard))
                {
                    var target = strategy.AllocateShard(shard, _coordinator.ShardsByBroker(hosts));
                    if (!await AllocateAsync(shard, target, partitions, cancellationToken))
                    {
                        return;
                    }
                    changedTable = true;
                }
            }
            if (now - _lastRebalance >= settings.RebalanceInterval)
            {
                _lastRebalance = now;
                StartRebalance(hosts);
            }
        }

        if (now - _lastFlush >= TimeSpan.FromTicks(settings.DownAfter.Ticks / 2))
        {
            // Heartbeat times reach the database in one statement now and then, never per beat.
            _lastFlush = now;
            await store.SaveMembersAsync(_members.Members.Values.Where(m => m.Status is MemberStatus.Up or MemberStatus.Unreachable).ToList(), cancellationToken);
        }
        PublishTable(force: changedTable);
    }

    private void StartRebalance(List<string> hosts)
    {
        var load = _coordinator.ShardsByBroker(hosts);
        var moves = strategy.Rebalance(load, _moving.Keys.ToHashSet(), settings.MaxSimultaneousRebalance);
        foreach (var shard in moves)
        {
            var owner = _coordinator.Allocations[shard].Owner;
            var withoutShard = load.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<int>)kv.Value.Where(s => s != shard).ToList(), StringComparer.Ordinal);
            foreach (var (_, target) in _moving)
            {
                // Count shards already on their way as the target's own, so they spread out.
                if (withoutShard.TryGetValue(target, out var list))
                {
                    withoutShard[target] = [.. list, -1];
                }
            }
            var destination = strategy.AllocateShard(shard, withoutShard);
            if (destination != owner)
            {
                BeginHandOff(shard, owner, destination);
            }
        }
    }

    /// <summary>
    /// Asks the current owner to stop serving the shard, beside the mailbox; the answer (or its
    /// absence within the hand-off timeout) comes back as <see cref="HandOffFinished"/>. Moving on
    /// without an answer is safe: the new allocation fences the old owner in the journal.
    /// </summary>
    private void BeginHandOff(int shard, string owner, string target)
    {
        _moving[shard] = target;
        var allocation = _coordinator.Allocations[shard];
        var address = _members.Members.TryGetValue(owner, out var member) ? member.Address : null;
        LogHandOff(shard, owner, target);
        _ = Task.Run(async () =>
        {
            string? error = null;
            try
            {
                if (address is null || member!.Status is MemberStatus.Down)
                {
                    error = "owner is down";
                }
                else
                {
                    await peers.Get(address).RequestAsync(new HandOffShard(shard, allocation.Epoch), settings.HandOffTimeout, CancellationToken.None);
                }
            }
            catch (Exception ex)
            {
                error = ex.Message;
            }
            try
            {
                await selfRef().TellAsync(new HandOffFinished(shard, target, error));
            }
            catch (ActorStoppedException)
            {
                // The node is stopping; the next manager sees the shard where it was.
            }
        });
    }

    private async Task HandOffFinishedAsync(HandOffFinished finished, CancellationToken cancellationToken)
    {
        if (!_moving.Remove(finished.Shard) || _lease.Phase != ManagerPhase.Manager)
        {
            return;
        }
        if (finished.Error is not null)
        {
            LogHandOffFailed(finished.Shard, finished.Error);
        }
        var target = finished.Target;
        if (!_members.Members.TryGetValue(target, out var member) || !member.CanHostShards)
        {
            var hosts = _members.ShardHosts.ToList();
            if (hosts.Count == 0)
            {
                return;
            }
            target = strategy.AllocateShard(finished.Shard, _coordinator.ShardsByBroker(hosts));
        }
        if (await AllocateAsync(finished.Shard, target, await PartitionsByShardAsync(cancellationToken), cancellationToken))
        {
            PublishTable(force: true);
        }
        CompleteLeaves();
    }

    private async Task<MemberRegistered> RegisterAsync(MemberAddress address, CancellationToken cancellationToken)
    {
        _members = _members.Registered(address.NodeId, address.Address, address.Roles, address.HttpAddress, time.GetUtcNow());
        await store.SaveMembersAsync([_members.Members[address.NodeId]], cancellationToken);
        LogMemberStatus(address.NodeId, "Up (registered)");
        await ManageAsync(Now, cancellationToken);
        PublishTable(force: true);
        return new MemberRegistered(_lease.Epoch, _table);
    }

    private async Task LeaveAsync(string nodeId, Envelope envelope, CancellationToken cancellationToken)
    {
        _members = _members.Left(nodeId);
        if (_members.Members.TryGetValue(nodeId, out var member))
        {
            await store.SaveMembersAsync([member], cancellationToken);
        }
        LogMemberStatus(nodeId, "Left");
        var hosts = _members.ShardHosts.ToList();
        var owned = _coordinator.Allocations.Values.Where(a => a.Owner == nodeId).Select(a => a.Shard).ToList();
        if (hosts.Count == 0 || owned.Count == 0)
        {
            envelope.Reply(new LeftCluster(true));
            PublishTable(force: true);
            return;
        }
        foreach (var shard in owned.Where(s => !_moving.ContainsKey(s)))
        {
            BeginHandOff(shard, nodeId, strategy.AllocateShard(shard, _coordinator.ShardsByBroker(hosts)));
        }
        if (!_pendingLeaves.TryGetValue(nodeId, out var waiting))
        {
            _pendingLeaves[nodeId] = waiting = [];
        }
        waiting.Add(envelope);
    }

    private void CompleteLeaves()
    {
        foreach (var nodeId in _pendingLeaves.Keys.ToList())
        {
            var stillOwns = _coordinator.Allocations.Values.Any(a => a.Owner == nodeId);
            if (!stillOwns)
            {
                foreach (var waiting in _pendingLeaves[nodeId])
                {
                    waiting.Reply(new LeftCluster(true));
                }
                _pendingLeaves.Remove(nodeId);
            }
        }
    }

    /// <summary>Persists the allocation (fencing the old owner), then records it. False when this node is no longer the manager.</summary>
    private async Task<bool> AllocateAsync(int shard, string owner, IReadOnlyDictionary<int, List<PartitionId>> partitions, CancellationToken cancellationToken)
    {
        var epoch = await store.AllocateAsync(shard, owner, partitions.GetValueOrDefault(shard) ?? [], self.NodeId, _lease.Epoch, cancellationToken);
        if (epoch is null)
        {
            StepDown("the lease was lost while allocating");
            return false;
        }
        _coordinator = _coordinator.Updated(new ShardAllocated(shard, owner, epoch.Value));
        LogAllocated(shard, owner, epoch.Value);
        return true;
    }

    private async Task<IReadOnlyDictionary<int, List<PartitionId>>> PartitionsByShardAsync(CancellationToken cancellationToken)
    {
        var byShard = new Dictionary<int, List<PartitionId>>();
        foreach (var topic in await catalog.ListTopicsAsync(cancellationToken))
        {
            for (var p = 0; p < topic.Partitions; p++)
            {
                var partition = new PartitionId(topic.Name, p);
                var shard = ShardMapping.ShardOf(partition, settings.Shards);
                if (!byShard.TryGetValue(shard, out var list))
                {
                    byShard[shard] = list = [];
                }
                list.Add(partition);
            }
        }
        return byShard;
    }

    /// <summary>Builds a new table version when something changed and tells every member at once (members also get it with their next heartbeat).</summary>
    private void PublishTable(bool force)
    {
        if (!force || _lease.Phase != ManagerPhase.Manager)
        {
            return;
        }
        var members = _members.Members.Values
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.Unreachable)
            .OrderBy(m => m.NodeId, StringComparer.Ordinal)
            .Select(m => new MemberAddress(m.NodeId, m.Address, m.HttpAddress, m.Roles))
            .ToList();
        _table = new RoutingTable(
            _lease.Epoch * VersionsPerTerm + ++_tableCounter,
            settings.Shards,
            _coordinator.Allocations.Values.OrderBy(a => a.Shard).ToList(),
            members);
        var update = new RoutingTableUpdated(_table);
        // Cluster clients (Queue.Client in cluster mode) register without an address: they run
        // no server to push to, and take the table from their heartbeat replies instead.
        foreach (var member in members.Where(m => m.Address.Length > 0))
        {
            _ = PushAsync(member.Address, update);
        }
    }

    private async Task PushAsync(string address, RoutingTableUpdated update)
    {
        try
        {
            await peers.Get(address).SendOneWayAsync(update, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Best effort: the member gets the table with its next heartbeat anyway.
            LogPushFailed(address, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeId} is now the manager (lease epoch {Epoch}); {Members} members and {Shards} shard allocations loaded")]
    private partial void LogBecameManager(string nodeId, long epoch, int members, int shards);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeId} stepped down as manager (lease epoch {Epoch}): {Reason}")]
    private partial void LogSteppedDown(string nodeId, long epoch, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the manager lease: {Reason}")]
    private partial void LogRenewFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Member {NodeId} is {Status}")]
    private partial void LogMemberStatus(string nodeId, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard} allocated to {Owner} at epoch {Epoch}")]
    private partial void LogAllocated(int shard, string owner, long epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard} moving from {Owner} to {Target}")]
    private partial void LogHandOff(int shard, string owner, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hand-off of shard {Shard} did not complete ({Reason}); moving it anyway, the journal fences the old owner")]
    private partial void LogHandOffFailed(int shard, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not push the routing table to {Address}: {Reason}")]
    private partial void LogPushFailed(string address, string reason);
}
