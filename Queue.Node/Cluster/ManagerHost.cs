using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Queue.Core.Actors;
using Queue.Core.Configuration;

namespace Queue.Node.Cluster;

/// <summary>
/// Runs the <see cref="ManagerActor"/> in its own cell and feeds it a tick at a steady pace. On a
/// graceful stop the lease is given back, so the next manager takes over at once.
/// </summary>
internal sealed partial class ManagerHost(Func<Func<IActorRef>, ManagerActor> create, ClusterSettings settings, TimeProvider time, ILogger<ManagerHost> logger) : IHostedService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private ActorCell? _cell;
    private Task? _ticker;

    public IActorRef Manager => _cell ?? throw new InvalidOperationException("the manager host has not started");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _cell = new ActorCell("manager", () => create(() => Manager), new ActorCellOptions { MailboxCapacity = 10_000, MaxBatch = 1 }, time, logger);
        _ticker = Task.Run(() => TickAsync(_stopping.Token));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_ticker is not null)
        {
            await _ticker;
        }
        if (_cell is not null)
        {
            try
            {
                await _cell.AskAsync(new ReleaseLease(), settings.LeaseRenewInterval, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The lease then lapses by itself within lease-ttl.
                LogReleaseFailed(ex.Message);
            }
            await _cell.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_cell is not null)
        {
            await _cell.AbortAsync();
        }
        _stopping.Dispose();
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        // Half the heartbeat interval: fine enough for the lease (renewed every second) and for
        // noticing silent members well within unreachable-after.
        var period = TimeSpan.FromTicks(Math.Min(settings.HeartbeatInterval.Ticks / 2, settings.LeaseRenewInterval.Ticks / 2));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                // A tick waiting in the mailbox is enough: never let them pile up behind a slow database.
                if (_cell!.QueuedCount < 2)
                {
                    await _cell.TellAsync(new ManagerTick(), cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the manager lease on stop: {Reason}")]
    private partial void LogReleaseFailed(string reason);
}
