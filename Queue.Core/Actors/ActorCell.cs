using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Queue.Core.Actors;

/// <summary>
/// Runs one actor: a bounded mailbox, a single reader loop, restart on failure. The loop is the
/// only code that touches the actor instance, which is what lets actors go without locks.
/// </summary>
public sealed partial class ActorCell : IActorRef
{
    private readonly Channel<Envelope> _mailbox;
    private readonly Func<Actor> _props;
    private readonly ActorCellOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _predecessor;
    private readonly Task<Task> _run;
    private long _lastActivityTimestamp;
    private int _started;

    /// <param name="predecessor">
    /// Completes when an earlier incarnation of the same actor has finished its last message. The
    /// loop waits for it, so two cells for one key never run at once (one writer per partition).
    /// </param>
    public ActorCell(string path, Func<Actor> props, ActorCellOptions options, TimeProvider time, ILogger logger, Task? predecessor = null, bool autoStart = true)
    {
        Path = path;
        _props = props;
        _options = options.Validate();
        _time = time;
        _logger = logger;
        _mailbox = Channel.CreateBounded<Envelope>(new BoundedChannelOptions(options.MailboxCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _lastActivityTimestamp = time.GetTimestamp();
        _predecessor = predecessor ?? Task.CompletedTask;
        _run = new Task<Task>(() => RunAsync(_predecessor));
        Completion = _run.Unwrap();
        if (autoStart)
        {
            Start();
        }
    }

    /// <summary>
    /// Starts the loop; idempotent. Separate from construction so a registry can build a cell
    /// speculatively (ConcurrentDictionary.GetOrAdd may build several) and start only the winner.
    /// </summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _run.Start(TaskScheduler.Default);
        }
    }

    public string Path { get; }

    /// <summary>Completes when the loop has ended and the actor's PostStop has run.</summary>
    public Task Completion { get; }

    /// <summary>Envelopes waiting in the mailbox.</summary>
    public int QueuedCount => _mailbox.Reader.Count;

    /// <summary>Time since the loop last took a message.</summary>
    public TimeSpan IdleFor => _time.GetElapsedTime(Interlocked.Read(ref _lastActivityTimestamp));

    public async ValueTask SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        // WaitToWriteAsync is where back-pressure happens: it blocks while the mailbox is full
        // and answers false once the cell is stopping.
        while (await _mailbox.Writer.WaitToWriteAsync(cancellationToken))
        {
            if (_mailbox.Writer.TryWrite(envelope))
            {
                return;
            }
        }
        throw new ActorStoppedException(Path);
    }

    /// <summary>
    /// Takes no more messages, lets the loop finish what is already queued, then stops the actor.
    /// </summary>
    public Task StopAsync()
    {
        Start();
        _mailbox.Writer.TryComplete();
        return Completion;
    }

    /// <summary>Stops at once: queued messages fail with <see cref="ActorStoppedException"/>.</summary>
    public Task AbortAsync()
    {
        Start();
        _mailbox.Writer.TryComplete();
        _stopping.Cancel();
        return Completion;
    }

    private async Task RunAsync(Task predecessor)
    {
        try
        {
            await predecessor.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The predecessor's failure is its own; all that matters here is that it has ended.
        }

        var reader = _mailbox.Reader;
        // Starts small and grows with the batches this actor actually sees: most cells of a
        // broker with many partitions stay idle, and 1,024 slots each was 8 KB apiece.
        var batch = new List<Envelope>();
        var stoppingToken = _stopping.Token;
        Actor? actor = null;
        var backoff = _options.MinRestartBackoff;
        var nextStartAttempt = 0L;
        Exception? lastStartFailure = null;

        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < _options.MaxBatch && reader.TryRead(out var envelope))
                {
                    // An asker that timed out has been answered already; skip its work.
                    if (!envelope.IsCompleted)
                    {
                        batch.Add(envelope);
                    }
                }
                Interlocked.Exchange(ref _lastActivityTimestamp, _time.GetTimestamp());
                if (batch.Count == 0)
                {
                    continue;
                }
                if (stoppingToken.IsCancellationRequested)
                {
                    FailAll(batch, new ActorStoppedException(Path));
                    continue;
                }

                if (actor is null)
                {
                    if (_time.GetTimestamp() < nextStartAttempt)
                    {
                        FailAll(batch, new ActorUnavailableException(Path, lastStartFailure!));
                        continue;
                    }
                    try
                    {
                        var candidate = _props();
                        await candidate.RunPreStartAsync(stoppingToken).ConfigureAwait(false);
                        actor = candidate;
                        backoff = _options.MinRestartBackoff;
                        lastStartFailure = null;
                    }
                    catch (Exception ex)
                    {
                        lastStartFailure = ex;
                        nextStartAttempt = _time.GetTimestamp() + (long)(backoff.TotalSeconds * _time.TimestampFrequency);
                        LogStartFailed(Path, backoff.TotalMilliseconds, ex);
                        backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxRestartBackoff.Ticks));
                        FailAll(batch, new ActorUnavailableException(Path, ex));
                        continue;
                    }
                }

                try
                {
                    await actor.RunBatchAsync(batch, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // Restart: the instance's in-memory state may be half-updated, so it is
                    // discarded and the next message rebuilds it from persistence. Envelopes the
                    // actor already answered keep their answers (TrySet* ignores them).
                    LogRestarting(Path, ex);
                    FailAll(batch, ex);
                    actor = null;
                }
            }
        }
        finally
        {
            while (reader.TryRead(out var leftover))
            {
                leftover.Fail(new ActorStoppedException(Path));
            }
            if (actor is not null)
            {
                try
                {
                    await actor.RunPostStopAsync().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    LogPostStopFailed(Path, ex);
                }
            }
        }
    }

    private static void FailAll(List<Envelope> batch, Exception error)
    {
        foreach (var envelope in batch)
        {
            envelope.Fail(error);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Actor {Path} failed to start; next attempt after {BackoffMs} ms")]
    private partial void LogStartFailed(string path, double backoffMs, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Actor {Path} failed while handling a message; restarting from persisted state")]
    private partial void LogRestarting(string path, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Actor {Path} failed in PostStop")]
    private partial void LogPostStopFailed(string path, Exception error);
}
