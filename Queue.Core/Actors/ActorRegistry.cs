using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Queue.Core.Actors;

/// <summary>
/// Actors addressed by key (for instance topic/partition), started on their first message and
/// stopped after being idle: the node-local half of Akka's sharding region. A stopped actor's key
/// can be used again at once; its next incarnation waits for the old one to finish, so one key
/// never has two live instances.
/// </summary>
public sealed class ActorRegistry<TKey> : IAsyncDisposable where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, ActorCell> _cells = new();
    // Cells told to stop but not yet finished; a new cell for the key waits on the old one.
    private readonly ConcurrentDictionary<TKey, ActorCell> _stopping = new();
    // Serialises retirements only (dictionary work, no awaits inside); sends never take it.
    private readonly Lock _retireGate = new();
    private readonly Func<TKey, Actor> _props;
    private readonly Func<TKey, string> _pathOf;
    private readonly ActorCellOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _idleTimeout;
    private readonly ITimer? _sweeper;
    private int _disposed;

    public ActorRegistry(
        Func<TKey, Actor> props,
        Func<TKey, string> pathOf,
        ActorCellOptions options,
        TimeSpan idleTimeout,
        TimeProvider time,
        ILogger logger)
    {
        _props = props;
        _pathOf = pathOf;
        _options = options.Validate();
        _idleTimeout = idleTimeout;
        _time = time;
        _logger = logger;
        if (idleTimeout > TimeSpan.Zero && idleTimeout != Timeout.InfiniteTimeSpan)
        {
            var period = TimeSpan.FromTicks(Math.Max(idleTimeout.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks));
            _sweeper = time.CreateTimer(_ => StopIdle(), null, period, period);
        }
    }

    /// <summary>Keys whose actors are running now.</summary>
    public ICollection<TKey> ActiveKeys => _cells.Keys;

    /// <summary>A reference that survives idle stops: each send finds or starts the current cell.</summary>
    public IActorRef Get(TKey key) => new RegistryRef(this, key);

    /// <summary>Stops the actor for <paramref name="key"/> after it finishes what it has queued.</summary>
    public Task StopAsync(TKey key) =>
        _cells.TryGetValue(key, out var cell) ? Retire(key, cell) : Task.CompletedTask;

    /// <summary>Stops actors that have had nothing to do for the idle timeout.</summary>
    public void StopIdle()
    {
        foreach (var (key, cell) in _cells)
        {
            if (cell.QueuedCount == 0 && cell.IdleFor >= _idleTimeout)
            {
                _ = Retire(key, cell);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _sweeper?.Dispose();
        var stops = _cells.Select(kv => Retire(kv.Key, kv.Value)).ToList();
        await Task.WhenAll(stops).ConfigureAwait(false);
    }

    private async ValueTask SendAsync(TKey key, Envelope envelope, CancellationToken cancellationToken)
    {
        // A cell may stop between our lookup and our write (idle stop); then the write is
        // refused and we go round again, which starts a fresh cell behind the old one.
        while (true)
        {
            if (Volatile.Read(ref _disposed) == 1)
            {
                throw new ActorStoppedException(_pathOf(key));
            }
            var cell = _cells.GetOrAdd(key, Create);
            cell.Start();
            try
            {
                await cell.SendAsync(envelope, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ActorStoppedException)
            {
                _cells.TryRemove(new KeyValuePair<TKey, ActorCell>(key, cell));
            }
        }
    }

    private ActorCell Create(TKey key)
    {
        var predecessor = _stopping.TryGetValue(key, out var old) ? old.Completion : null;
        return new ActorCell(_pathOf(key), () => _props(key), _options, _time, _logger, predecessor, autoStart: false);
    }

    private Task Retire(TKey key, ActorCell cell)
    {
        lock (_retireGate)
        {
            // A stale caller (the sweeper iterating an old snapshot) may name a cell that was
            // already retired; recording it as "stopping" again would hide the newer stopping
            // cell its successor must wait for.
            if (!_cells.TryGetValue(key, out var current) || !ReferenceEquals(current, cell))
            {
                return cell.Completion;
            }
            // Order matters: record the stopping cell before removing it, so whoever starts the
            // next cell for this key is guaranteed to see it and wait.
            _stopping[key] = cell;
            _cells.TryRemove(new KeyValuePair<TKey, ActorCell>(key, cell));
        }
        var stopped = cell.StopAsync();
        _ = stopped.ContinueWith(
            _ => _stopping.TryRemove(new KeyValuePair<TKey, ActorCell>(key, cell)),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return stopped;
    }

    private sealed class RegistryRef(ActorRegistry<TKey> registry, TKey key) : IActorRef
    {
        public string Path => registry._pathOf(key);

        public ValueTask SendAsync(Envelope envelope, CancellationToken cancellationToken) =>
            registry.SendAsync(key, envelope, cancellationToken);
    }
}
