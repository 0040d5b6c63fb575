using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Remote;

namespace Queue.Core.Cluster;

/// <summary>
/// Downs a member at once when its process is provably gone, instead of waiting for the failure
/// detector and the split-brain resolver (about 6 s here, see docs/cluster.md).
/// </summary>
/// <remarks>
/// <para>
/// The evidence is the operating system's, not a timer's: when a process dies (kill -9, a crash,
/// OOM), its kernel closes its sockets, so its peers' connections drop at once, and a new TCP
/// connection to its cluster port is refused (RST), because nothing listens there any more. A
/// refused connection cannot come from a slow, paused or partitioned member: a paused process's
/// listening socket still completes handshakes (the kernel does that), and a network partition
/// times out, it does not refuse. So "the connection to the member dropped, and its port then
/// refuses connections, twice" means "the member's process is gone", and downing a process that
/// is gone is safe whatever the rest of the cluster looks like. Every other failure (a frozen
/// process, a cut network, an overloaded machine) still goes the slow, careful way: failure
/// detector, then split-brain resolver.
/// </para>
/// <para>
/// This is an extension beside Akka's downing, not a replacement: the split-brain resolver still
/// decides every case this one does not recognise, and Akka's own rules (sharding's hand-off,
/// the singleton's removal margin, the lease) still govern what happens after a down. Downing is
/// idempotent, so several members noticing the same death is harmless.
/// </para>
/// </remarks>
public sealed class CrashDowning : ReceiveActor
{
    /// <summary>The actor's name under /user.</summary>
    public const string Name = "crash-downing";

    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TimeSpan _probeTimeout;
    private readonly HashSet<UniqueAddress> _probing = [];

    public CrashDowning(TimeSpan probeTimeout)
    {
        _probeTimeout = probeTimeout;
        Receive<DisassociatedEvent>(e => Suspect(e.RemoteAddress));
        Receive<ClusterEvent.UnreachableMember>(e => Suspect(e.Member.Address));
        Receive<ProbeResult>(OnProbed);
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ClusterEvent.IReachabilityEvent>(_ => { });
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
    }

    public static Props Props(TimeSpan probeTimeout) => Akka.Actor.Props.Create(() => new CrashDowning(probeTimeout));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.UnreachableMember));
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        _cluster.Unsubscribe(Self);
    }

    private void Suspect(Address address)
    {
        if (_cluster.SelfMember.Status != MemberStatus.Up || address == _cluster.SelfAddress)
        {
            // A joining, leaving or shutting-down node sees connections drop for its own reasons.
            return;
        }
        if (FindMember(address) is not { } member || !IsDownable(member) || !_probing.Add(member.UniqueAddress))
        {
            return;
        }
        var self = Self;
        var timeout = _probeTimeout;
        _ = Task.Run(async () =>
        {
            // Twice, a moment apart: one refusal could be a listener being re-bound; two from the
            // same port, with the member still not reconnected, are a process that is gone.
            var probedAt = Stopwatch.GetTimestamp();
            var gone = await IsRefusedAsync(address, timeout).ConfigureAwait(false);
            if (gone)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
                gone = await IsRefusedAsync(address, timeout).ConfigureAwait(false);
            }
            self.Tell(new ProbeResult(member, gone, probedAt));
        });
    }

    private void OnProbed(ProbeResult result)
    {
        _probing.Remove(result.Member.UniqueAddress);
        Context.System.EventStream.Publish(new Probed(result.Member.UniqueAddress, result.Gone));
        if (!result.Gone)
        {
            return;
        }
        // Still the same incarnation, still a member that is not on its way out: a process that
        // restarted on the same port is a new incarnation and is left alone.
        if (FindMember(result.Member.Address) is not { } now || now.UniqueAddress != result.Member.UniqueAddress || !IsDownable(now))
        {
            return;
        }
        _log.Warning(
            "Member {0} ({1}) is gone: its connection dropped and its port refuses connections, so nothing listens there any more. " +
            "Downing it now rather than after the failure detector and the split-brain resolver (queue.cluster.crash-downing).",
            QueueCluster.NodeIdOf(now), now.Address);
        _cluster.Down(now.Address);
        Context.System.EventStream.Publish(new DownedAsGone(now.UniqueAddress, result.ProbedAt));
        // Akka's leader removes a downed member only once it is also unreachable (or its
        // incarnation quarantined), and the failure detector would take seconds to say so.
        // Quarantining the dead incarnation (by its uid) says it now; it is what Akka does to
        // every downed member anyway, and a restart on the same port is a new uid, unaffected.
        if (Context.System is ExtendedActorSystem { Provider: IRemoteActorRefProvider remote })
        {
            remote.Quarantine(now.Address, now.UniqueAddress.Uid);
        }
    }

    private Member? FindMember(Address address) =>
        _cluster.State.Members.FirstOrDefault(m => m.Address == address);

    // Leaving and exiting members close their port on purpose while they hand off; downing them
    // would cut that hand-off short. Down and removed members need nothing more.
    private static bool IsDownable(Member member) =>
        member.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Joining;

    /// <summary>True only for an explicit refusal (RST); success, a timeout or any other error proves nothing.</summary>
    public static Task<bool> IsRefusedAsync(Address address, TimeSpan timeout) =>
        address.Host is { } host && address.Port is { } port ? IsRefusedAsync(host, port, timeout) : Task.FromResult(false);

    /// <inheritdoc cref="IsRefusedAsync(Address, TimeSpan)"/>
    public static async Task<bool> IsRefusedAsync(string host, int port, TimeSpan timeout)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await socket.ConnectAsync(host, port, cancel.Token).ConfigureAwait(false);
            return false;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private sealed record ProbeResult(Member Member, bool Gone, long ProbedAt);

    /// <summary>Published on the event stream after each probe of a suspect member (for logs, metrics and specs).</summary>
    public sealed record Probed(UniqueAddress Member, bool Gone);

    /// <summary>Published on the event stream when this node downed a member because its process was gone.</summary>
    /// <param name="Member">The incarnation downed.</param>
    /// <param name="GoneBy">
    /// <see cref="Stopwatch.GetTimestamp"/> when the first refused probe was sent: the process was
    /// already gone then, so nothing it did can be younger than this (used to release its leases
    /// without touching what a new incarnation on the same address may have taken since).
    /// </param>
    public sealed record DownedAsGone(UniqueAddress Member, long GoneBy);
}
