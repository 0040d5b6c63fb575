using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Coordination;
using Akka.Event;
using Npgsql;
using NpgsqlTypes;

namespace Queue.Node.Coordination;

/// <summary>
/// An <see cref="Lease"/> kept in a PostgreSQL table: one row per lease name holding the owner,
/// the expiry (by the database clock) and a fencing counter that grows whenever the lease changes
/// hands. Created by Akka's <see cref="LeaseProvider"/> from a config block naming this class as
/// <c>lease-class</c>; see docs/lease.md.
/// </summary>
/// <remarks>
/// Locally the holder trusts only its own monotonic clock: the lease counts from the moment the
/// last successful acquire/renewal was <em>sent</em> (never later than the database's own
/// <c>now()</c> for that statement) plus the TTL, minus a safety margin. So <see cref="CheckLease"/>
/// turns false, and the lost callback fires, before any other node can take the lease by the
/// database's clock, however slow the answers were.
/// </remarks>
public sealed class PostgresLease : Lease
{
    private readonly PostgresLeaseExtension _extension;
    private readonly ILoggingAdapter _log;
    private readonly string _connectionString;
    private readonly string _table;
    private readonly TimeSpan _ttl;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _operationTimeout;
    private readonly TimeSpan _safetyMargin;

    // Akka calls Acquire, Release and CheckLease from whatever thread its actors run on, and the
    // renewal loop runs on the thread pool; _gate guards _holding and the mutable fields of the
    // Holding it points to. It is never held across an await or a callback.
    private readonly Lock _gate = new();
    private Holding? _holding;

    private volatile bool _renewalsPaused;

    public PostgresLease(LeaseSettings settings, ExtendedActorSystem system) : base(settings)
    {
        _extension = PostgresLeaseExtension.Get(system);
        _log = Logging.GetLogger(system, this);

        var config = settings.LeaseConfig;
        _connectionString = config.GetString("connection-string", "") ?? "";
        if (string.IsNullOrWhiteSpace(_connectionString))
        {
            throw new ConfigurationException($"PostgresLease [{settings.LeaseName}]: connection-string must be set in the lease configuration.");
        }
        _table = PostgresLeaseSql.ValidateTable(config.GetString("table", "akkaqueue_leases") ?? "akkaqueue_leases");

        var timeouts = settings.TimeoutSettings;
        _ttl = timeouts.HeartbeatTimeout;
        _interval = timeouts.HeartbeatInterval;
        _operationTimeout = timeouts.OperationTimeout;
        _safetyMargin = SafetyMargin(config, _ttl, _interval);
        if (_operationTimeout <= TimeSpan.Zero)
        {
            throw new ConfigurationException($"PostgresLease [{settings.LeaseName}]: lease-operation-timeout must be positive.");
        }

        if (_log.IsDebugEnabled)
        {
            var safe = new NpgsqlConnectionStringBuilder(_connectionString);
            _log.Debug("PostgresLease [{0}] for owner [{1}]: {2} table {3}, {4}, safety margin {5}",
                settings.LeaseName, settings.OwnerName, $"{safe.Host}:{safe.Port}/{safe.Database}", _table, timeouts, _safetyMargin);
        }
    }

    /// <summary>The fencing token of the current holding; null while this owner does not hold the lease.</summary>
    public long? FencingToken
    {
        get
        {
            lock (_gate)
            {
                return _holding is { } h && Stopwatch.GetTimestamp() < h.ValidUntil ? h.Fencing : null;
            }
        }
    }

    public override bool CheckLease()
    {
        lock (_gate)
        {
            return _holding is { } h && Stopwatch.GetTimestamp() < h.ValidUntil;
        }
    }

    public override Task<bool> Acquire() => Acquire(null);

    public override async Task<bool> Acquire(Action<Exception?>? leaseLostCallback)
    {
        var sentAt = Stopwatch.GetTimestamp();
        var fencing = await RunAsync("acquire", _operationTimeout, async (dataSource, token) =>
        {
            await using var command = dataSource.CreateCommand(PostgresLeaseSql.Acquire(_table));
            AddKey(command);
            command.Parameters.Add(new NpgsqlParameter("ttl", NpgsqlDbType.Interval) { Value = _ttl });
            return await command.ExecuteScalarAsync(token).ConfigureAwait(false) as long?;
        }).ConfigureAwait(false);

        if (fencing is null)
        {
            Holding? lost;
            lock (_gate)
            {
                lost = _holding;
            }
            if (lost is not null)
            {
                // We believed we held it, yet another owner has it: that holding is over.
                Lose(lost, new LeaseException($"Lease [{Settings.LeaseName}] is held by another owner."));
            }
            return false;
        }

        var validUntil = sentAt + ValidityTicks;
        if (Stopwatch.GetTimestamp() >= validUntil)
        {
            // The row is ours, but the answer took so long that we could not safely act on it.
            // The caller retries; a retry by the same owner re-takes it under the same token.
            throw new LeaseTimeoutException($"Lease [{Settings.LeaseName}] was granted too late to be used (answer slower than TTL minus safety margin).");
        }

        Holding? replaced = null;
        Holding? started = null;
        lock (_gate)
        {
            if (_holding is { } current && current.Fencing == fencing.Value)
            {
                current.ValidUntil = Math.Max(current.ValidUntil, validUntil);
                current.Callback = leaseLostCallback;
            }
            else
            {
                replaced = _holding;
                started = new Holding(fencing.Value, validUntil, leaseLostCallback, CancellationTokenSource.CreateLinkedTokenSource(_extension.Stopping));
                _holding = started;
            }
        }

        if (replaced is not null)
        {
            // Only if the lease went to someone else and back while we were cut off.
            _log.Warning("Lease [{0}] re-acquired by [{1}] under a new fencing token {2} (was {3}); the earlier holding had lapsed.",
                Settings.LeaseName, Settings.OwnerName, fencing.Value, replaced.Fencing);
            replaced.Stop();
        }
        if (started is not null)
        {
            _log.Info("Lease [{0}] acquired by [{1}], fencing token {2}", Settings.LeaseName, Settings.OwnerName, started.Fencing);
            _ = Task.Run(() => RenewLoopAsync(started, sentAt));
        }
        return true;
    }

    /// <summary>
    /// Gives the lease up so that another owner may take it at once. Stops acting as holder before
    /// asking the database. True also when the lease had already lapsed or gone to another owner:
    /// either way it is not held by us afterwards, which is what the caller (shard, singleton)
    /// needs to know. Fails (LeaseException / LeaseTimeoutException) only when the database could
    /// not be told; the row then lapses after its TTL.
    /// </summary>
    public override async Task<bool> Release()
    {
        Holding? holding;
        lock (_gate)
        {
            holding = _holding;
            _holding = null;
        }
        holding?.Stop();
        if (holding?.InFlight is { IsCompleted: false } renewal)
        {
            // A renewal sent just before might otherwise reach the database after the release and
            // extend the lease again, making the next owner wait a whole TTL. Cancelling it (Stop)
            // makes Npgsql cancel it on the server; wait until it is settled either way.
            await Task.WhenAny(renewal, Task.Delay(_operationTimeout)).ConfigureAwait(false);
        }

        await RunAsync("release", _operationTimeout, async (dataSource, token) =>
        {
            await using var command = dataSource.CreateCommand(PostgresLeaseSql.Release(_table));
            AddKey(command);
            return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
        }).ConfigureAwait(false);
        _log.Info("Lease [{0}] released by [{1}]", Settings.LeaseName, Settings.OwnerName);
        return true;
    }

    /// <summary>Test hook: while paused, the renewal loop skips its renewals, as if the database were unreachable.</summary>
    internal bool RenewalsPaused
    {
        get => _renewalsPaused;
        set => _renewalsPaused = value;
    }

    private long ValidityTicks => (long)((_ttl - _safetyMargin).TotalSeconds * Stopwatch.Frequency);

    private long IntervalTicks => (long)(_interval.TotalSeconds * Stopwatch.Frequency);

    /// <summary>
    /// Renews every heartbeat-interval until the holding ends. A refused renewal ends it at once;
    /// an erring one (timeout, connection lost) is retried, because the lease is still certainly
    /// ours until the validity window closes; when it closes without a renewal, the holding ends.
    /// </summary>
    private async Task RenewLoopAsync(Holding holding, long lastSentAt)
    {
        var token = holding.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                long validUntil;
                lock (_gate)
                {
                    validUntil = holding.ValidUntil;
                }
                var wakeAt = Math.Min(lastSentAt + IntervalTicks, validUntil);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), wakeAt);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, token).ConfigureAwait(false);
                }

                var now = Stopwatch.GetTimestamp();
                if (now >= validUntil)
                {
                    Lose(holding, new LeaseTimeoutException(
                        $"Lease [{Settings.LeaseName}] could not be renewed within heartbeat-timeout minus the safety margin; another owner may take it."));
                    return;
                }
                lastSentAt = now;
                if (_renewalsPaused)
                {
                    continue;
                }

                // The renewal may not outlive the window: once it has closed, the answer no longer matters.
                var budget = TimeSpan.FromTicks(Math.Min(_operationTimeout.Ticks, Stopwatch.GetElapsedTime(now, validUntil).Ticks));
                long? renewed;
                try
                {
                    renewed = await RunAsync("renew", budget, async (dataSource, t) =>
                    {
                        await using var command = dataSource.CreateCommand(PostgresLeaseSql.Renew(_table));
                        AddKey(command);
                        command.Parameters.Add(new NpgsqlParameter("ttl", NpgsqlDbType.Interval) { Value = _ttl });
                        command.Parameters.Add(new NpgsqlParameter("fencing", NpgsqlDbType.Bigint) { Value = holding.Fencing });
                        return await command.ExecuteScalarAsync(t).ConfigureAwait(false) as long?;
                    }, token, started => holding.InFlight = started).ConfigureAwait(false);
                }
                catch (LeaseException ex) when (!token.IsCancellationRequested)
                {
                    _log.Warning(ex, "Renewing lease [{0}] failed; retrying while it is still valid", Settings.LeaseName);
                    continue;
                }

                if (renewed is null)
                {
                    Lose(holding, new LeaseException($"Lease [{Settings.LeaseName}] was taken over or removed; renewal refused."));
                    return;
                }
                lock (_gate)
                {
                    holding.ValidUntil = Math.Max(holding.ValidUntil, now + ValidityTicks);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Released, replaced, or the ActorSystem stopped: nobody is to be told.
        }
        catch (Exception ex)
        {
            // A bug here must not leave a holder that believes in a lease nobody renews.
            Lose(holding, ex);
        }
    }

    /// <summary>Ends a holding and tells its callback, exactly once, and only if it is still the current one.</summary>
    private void Lose(Holding holding, Exception reason)
    {
        Action<Exception?>? callback;
        lock (_gate)
        {
            if (!ReferenceEquals(_holding, holding))
            {
                return;
            }
            _holding = null;
            callback = holding.Callback;
        }
        holding.Stop();
        _log.Warning(reason, "Lease [{0}] lost by [{1}] (fencing token {2})", Settings.LeaseName, Settings.OwnerName, holding.Fencing);
        if (callback is null)
        {
            return;
        }
        try
        {
            callback(reason);
        }
        catch (Exception ex)
        {
            _log.Error(ex, "Lease-lost callback of [{0}] threw", Settings.LeaseName);
        }
    }

    private void AddKey(NpgsqlCommand command)
    {
        command.CommandTimeout = Math.Max(1, (int)Math.Ceiling(_operationTimeout.TotalSeconds));
        command.Parameters.Add(new NpgsqlParameter("name", NpgsqlDbType.Text) { Value = Settings.LeaseName });
        command.Parameters.Add(new NpgsqlParameter("owner", NpgsqlDbType.Text) { Value = Settings.OwnerName });
    }

    /// <summary>
    /// Runs one database operation (table creation included) within <paramref name="timeout"/>.
    /// The caller is released at the deadline even if Npgsql is still waiting for the server to
    /// acknowledge the cancellation. Failures become the exceptions Akka's lease users expect.
    /// </summary>
    private async Task<T> RunAsync<T>(string operation, TimeSpan timeout, Func<NpgsqlDataSource, CancellationToken, Task<T>> body,
        CancellationToken stop = default, Action<Task>? started = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop, _extension.Stopping);
        cts.CancelAfter(timeout);
        Task<T>? task = null;
        try
        {
            task = RunBodyAsync(body, cts.Token);
            started?.Invoke(task);
            return await task.WaitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (stop.IsCancellationRequested)
        {
            Observe(task);
            throw new OperationCanceledException("lease operation abandoned", ex, stop);
        }
        catch (Exception ex) when (cts.IsCancellationRequested || ex is TimeoutException || ex.InnerException is TimeoutException)
        {
            Observe(task);
            throw new LeaseTimeoutException($"Timed out ({timeout.TotalMilliseconds:0} ms) trying to {operation} lease [{Settings.LeaseName}] for [{Settings.OwnerName}]; it may or may not be held.", ex);
        }
        catch (Exception ex) when (ex is NpgsqlException or ObjectDisposedException or InvalidOperationException)
        {
            throw new LeaseException($"Failed to {operation} lease [{Settings.LeaseName}] for [{Settings.OwnerName}]: {ex.Message}", ex);
        }
    }

    private async Task<T> RunBodyAsync<T>(Func<NpgsqlDataSource, CancellationToken, Task<T>> body, CancellationToken token)
    {
        await _extension.EnsureTableAsync(_connectionString, _table, token).ConfigureAwait(false);
        return await body(_extension.DataSource(_connectionString), token).ConfigureAwait(false);
    }

    /// <summary>An operation we stopped waiting for still finishes (or fails) in the background; its failure is expected.</summary>
    private static void Observe(Task? task) =>
        task?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>
    /// How much earlier than the database we give the lease up. It covers clock-rate differences
    /// and the time between a true CheckLease and the work it guards. Default: the smaller of
    /// heartbeat-interval and a fifth of the TTL (e.g. 1 s for 6 s / 1 s).
    /// </summary>
    private static TimeSpan SafetyMargin(Config config, TimeSpan ttl, TimeSpan interval)
    {
        var configured = config.HasPath("safety-margin") ? config.GetString("safety-margin", "") : "";
        var margin = string.IsNullOrWhiteSpace(configured)
            ? TimeSpan.FromTicks(Math.Min(interval.Ticks, ttl.Ticks / 5))
            : config.GetTimeSpan("safety-margin");
        if (margin < TimeSpan.Zero || margin >= ttl - interval)
        {
            throw new ConfigurationException($"PostgresLease: safety-margin ({margin}) must be at least 0 and less than heartbeat-timeout minus heartbeat-interval ({ttl - interval}), or no renewal could ever keep the lease.");
        }
        return margin;
    }

    /// <summary>One continuous holding of the lease, under one fencing token.</summary>
    private sealed class Holding(long fencing, long validUntil, Action<Exception?>? callback, CancellationTokenSource cancellation)
    {
        public long Fencing { get; } = fencing;

        /// <summary>Stopwatch timestamp until which we certainly hold the lease. Guarded by the lease's gate.</summary>
        public long ValidUntil { get; set; } = validUntil;

        /// <summary>Guarded by the lease's gate.</summary>
        public Action<Exception?>? Callback { get; set; } = callback;

        private int _stopped;

        public CancellationToken Token { get; } = cancellation.Token;

        private volatile Task? _inFlight;

        /// <summary>The database call of the renewal under way, if any (it may outlive our wait for it).</summary>
        public Task? InFlight
        {
            get => _inFlight;
            set => _inFlight = value;
        }

        public void Stop()
        {
            // Cancel before Dispose: a token already cancelled stays usable (and cancelled) after
            // its source is disposed, so the loop and in-flight calls see a clean cancellation.
            if (Interlocked.Exchange(ref _stopped, 1) == 0)
            {
                cancellation.Cancel();
                cancellation.Dispose();
            }
        }
    }
}
