using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Queue.Core.Journal;
using Queue.Core.Log;

namespace Queue.Node.Persistence;

/// <summary>
/// Group commit for every partition on the node. Partition actors hand in their writes; one loop
/// takes everything that has arrived while the previous commit was in flight and writes it as a
/// single statement (one round trip, one transaction, one WAL flush), then completes each
/// caller's task, so nothing is acknowledged before its commit.
/// <para>
/// The statement checks each partition's epoch and high-water mark while moving the mark (the
/// fence), and inserts messages and positions only for partitions that passed, so one fenced or
/// stale write fails alone and the rest of the group still commits.
/// </para>
/// </summary>
internal sealed partial class GroupCommitWriter : IAsyncDisposable
{
    // Rows of the final SELECT: one per write, with the stored epoch and mark for those that failed.
    // Data-modifying CTEs all see the snapshot from before the statement; the only way to pass what
    // the UPDATE did on to the INSERTs is through RETURNING, hence "ok".
    private const string CommitSql = """
        WITH w AS (
            SELECT * FROM unnest(@w_idx, @w_topic, @w_partition, @w_epoch, @w_expected, @w_next)
                AS w(idx, topic, partition, epoch, expected, next_hwm)
        ),
        ok AS (
            UPDATE partitions AS p
               SET high_watermark = CASE WHEN w.next_hwm < 0 THEN p.high_watermark ELSE w.next_hwm END,
                   updated_at = now()
              FROM w
             WHERE p.topic = w.topic AND p.partition = w.partition AND p.epoch = w.epoch
               AND (w.expected < 0 OR p.high_watermark = w.expected)
            RETURNING w.idx, w.topic, w.partition
        ),
        inserted AS (
            INSERT INTO messages (topic, partition, msg_offset, payload, producer_id, created_at)
            SELECT ok.topic, ok.partition, m.msg_offset, m.payload, m.producer_id, m.created_at
              FROM unnest(@m_idx, @m_offset, @m_payload, @m_producer, @m_created)
                   AS m(idx, msg_offset, payload, producer_id, created_at)
              JOIN ok ON ok.idx = m.idx
        ),
        moved AS (
            INSERT INTO consumer_positions AS c (topic, partition, consumer_id, position)
            SELECT ok.topic, ok.partition, c.consumer_id, c.position
              FROM unnest(@c_idx, @c_consumer, @c_position) AS c(idx, consumer_id, position)
              JOIN ok ON ok.idx = c.idx
            ON CONFLICT (topic, partition, consumer_id)
               DO UPDATE SET position = EXCLUDED.position, updated_at = now()
        ),
        sequenced AS (
            INSERT INTO producer_sequences AS s (topic, partition, producer_id, sequence, first_offset, count)
            SELECT ok.topic, ok.partition, q.producer_id, q.sequence, q.first_offset, q.count
              FROM unnest(@s_idx, @s_producer, @s_sequence, @s_first, @s_count) AS q(idx, producer_id, sequence, first_offset, count)
              JOIN ok ON ok.idx = q.idx
            ON CONFLICT (topic, partition, producer_id)
               DO UPDATE SET sequence = EXCLUDED.sequence, first_offset = EXCLUDED.first_offset, count = EXCLUDED.count
        )
        SELECT w.idx, ok.idx IS NOT NULL, p.epoch, p.high_watermark
          FROM w
          LEFT JOIN ok ON ok.idx = w.idx
          LEFT JOIN partitions p ON p.topic = w.topic AND p.partition = w.partition
        """;

    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeSpan _timeout;
    private readonly int _maxBatchRows;
    private readonly long _maxBatchBytes;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private PendingWrite? _carried;
    private long _commits;

    public GroupCommitWriter(NpgsqlDataSource dataSource, TimeSpan timeout, int maxBatchRows, long maxBatchBytes, ILogger<GroupCommitWriter> logger)
    {
        _dataSource = dataSource;
        _timeout = timeout;
        _maxBatchRows = maxBatchRows;
        _maxBatchBytes = maxBatchBytes;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Transactions committed so far (each one a round trip carrying one or more writes).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Queues <paramref name="pending"/> and waits for its commit, at most the write timeout.</summary>
    public async Task WriteAsync(PendingWrite pending, CancellationToken cancellationToken)
    {
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new JournalUnavailableException("PostgreSQL journal is shutting down");
        }
        try
        {
            await pending.Completion.WaitAsync(_timeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // If the loop has not taken the write yet it now skips it; if it has, the outcome is
            // unknown, which is exactly what the caller is told (it re-reads the truth on restart).
            var unavailable = new JournalUnavailableException(
                $"PostgreSQL journal did not commit within {_timeout.TotalMilliseconds:0} ms; the write may or may not have been committed", ex);
            pending.Fail(unavailable);
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            throw unavailable;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingWrite>();
        var partitions = new HashSet<PartitionId>();
        while (_carried is not null || await reader.WaitToReadAsync())
        {
            batch.Clear();
            partitions.Clear();
            var rows = 0;
            var bytes = 0L;
            while (true)
            {
                var next = _carried;
                if (next is null && !reader.TryRead(out next))
                {
                    break;
                }
                _carried = null;
                if (next.IsSettled)
                {
                    continue;
                }
                // One write per partition per statement (a restarted actor may queue a write while
                // its predecessor's timed-out one is still here), and a bounded statement size;
                // whatever does not fit opens the next group. A write bigger than the bounds on its
                // own still goes whole: it must be atomic.
                if (batch.Count > 0 && (rows + next.Rows > _maxBatchRows || bytes + next.PayloadBytes > _maxBatchBytes || partitions.Contains(next.Partition)))
                {
                    _carried = next;
                    break;
                }
                batch.Add(next);
                partitions.Add(next.Partition);
                rows += next.Rows;
                bytes += next.PayloadBytes;
            }
            if (batch.Count > 0)
            {
                await CommitAsync(batch);
            }
        }
    }

    private async Task CommitAsync(List<PendingWrite> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var outcomes = new (bool Committed, long? Epoch, long? HighWatermark)[batch.Count];
        using var deadline = new CancellationTokenSource(_timeout);
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(deadline.Token);
            await using var command = BuildCommand(batch, connection);
            await using (var reader = await command.ExecuteReaderAsync(deadline.Token))
            {
                while (await reader.ReadAsync(deadline.Token))
                {
                    outcomes[reader.GetInt32(0)] = (
                        reader.GetBoolean(1),
                        reader.IsDBNull(2) ? null : reader.GetInt64(2),
                        reader.IsDBNull(3) ? null : reader.GetInt64(3));
                }
            }
            // Disposing the reader consumed the rest of the response up to ReadyForQuery, so the
            // implicit transaction has committed (and its WAL is flushed) by the time we get here.
        }
        catch (Exception ex)
        {
            var error = PostgresErrors.IsUnavailable(ex, CancellationToken.None) ? PostgresErrors.Unavailable($"committing {batch.Count} writes", ex) : ex;
            LogCommitFailed(batch.Count, error.Message, ex);
            foreach (var pending in batch)
            {
                pending.Fail(error);
            }
            return;
        }

        Interlocked.Increment(ref _commits);
        for (var i = 0; i < batch.Count; i++)
        {
            var pending = batch[i];
            var (committed, epoch, highWatermark) = outcomes[i];
            if (committed)
            {
                pending.Committed();
            }
            else if (epoch != pending.Epoch)
            {
                pending.Fail(new JournalFencedException(pending.Partition, pending.Epoch, epoch));
            }
            else if (pending.ExpectedHighWatermark >= 0 && highWatermark != pending.ExpectedHighWatermark)
            {
                pending.Fail(new InvalidOperationException(
                    $"partition {pending.Partition}: offset {pending.ExpectedHighWatermark} written where {highWatermark} was expected"));
            }
            else
            {
                // Epoch and mark matched our snapshot, so a concurrent owner changed them meanwhile.
                pending.Fail(new JournalFencedException(pending.Partition, pending.Epoch, null));
            }
        }
        LogCommitted(batch.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private static NpgsqlCommand BuildCommand(List<PendingWrite> batch, NpgsqlConnection connection)
    {
        var messageCount = batch.Sum(p => p.Write.Messages.Count);
        var positionCount = batch.Sum(p => p.Write.Positions.Count);
        var sequenceCount = batch.Sum(p => p.Write.Sequences.Count);
        var wIdx = new int[batch.Count];
        var wTopic = new string[batch.Count];
        var wPartition = new int[batch.Count];
        var wEpoch = new long[batch.Count];
        var wExpected = new long[batch.Count];
        var wNext = new long[batch.Count];
        var mIdx = new int[messageCount];
        var mOffset = new long[messageCount];
        var mPayload = new string[messageCount];
        var mProducer = new long[messageCount];
        var mCreated = new DateTime[messageCount];
        var cIdx = new int[positionCount];
        var cConsumer = new long[positionCount];
        var cPosition = new long[positionCount];
        var sIdx = new int[sequenceCount];
        var sProducer = new long[sequenceCount];
        var sSequence = new long[sequenceCount];
        var sFirst = new long[sequenceCount];
        var sCount = new int[sequenceCount];
        int m = 0, c = 0, q = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var pending = batch[i];
            wIdx[i] = i;
            wTopic[i] = pending.Partition.Topic;
            wPartition[i] = pending.Partition.Partition;
            wEpoch[i] = pending.Epoch;
            wExpected[i] = pending.ExpectedHighWatermark;
            wNext[i] = pending.NextHighWatermark;
            foreach (var message in pending.Write.Messages)
            {
                mIdx[m] = i;
                mOffset[m] = message.Offset;
                mPayload[m] = message.Payload;
                mProducer[m] = message.ProducerId;
                mCreated[m] = message.Timestamp.UtcDateTime;
                m++;
            }
            foreach (var position in pending.Write.Positions)
            {
                cIdx[c] = i;
                cConsumer[c] = position.ConsumerId;
                cPosition[c] = position.Position;
                c++;
            }
            foreach (var sequence in pending.Write.Sequences)
            {
                sIdx[q] = i;
                sProducer[q] = sequence.ProducerId;
                sSequence[q] = sequence.Sequence;
                sFirst[q] = sequence.FirstOffset;
                sCount[q] = sequence.Count;
                q++;
            }
        }

        var command = new NpgsqlCommand(CommitSql, connection);
        var parameters = command.Parameters;
        parameters.Add(new NpgsqlParameter("w_idx", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = wIdx });
        parameters.Add(new NpgsqlParameter("w_topic", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = wTopic });
        parameters.Add(new NpgsqlParameter("w_partition", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = wPartition });
        parameters.Add(new NpgsqlParameter("w_epoch", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = wEpoch });
        parameters.Add(new NpgsqlParameter("w_expected", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = wExpected });
        parameters.Add(new NpgsqlParameter("w_next", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = wNext });
        parameters.Add(new NpgsqlParameter("m_idx", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = mIdx });
        parameters.Add(new NpgsqlParameter("m_offset", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = mOffset });
        parameters.Add(new NpgsqlParameter("m_payload", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = mPayload });
        parameters.Add(new NpgsqlParameter("m_producer", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = mProducer });
        parameters.Add(new NpgsqlParameter("m_created", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = mCreated });
        parameters.Add(new NpgsqlParameter("c_idx", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = cIdx });
        parameters.Add(new NpgsqlParameter("c_consumer", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = cConsumer });
        parameters.Add(new NpgsqlParameter("c_position", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = cPosition });
        parameters.Add(new NpgsqlParameter("s_idx", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = sIdx });
        parameters.Add(new NpgsqlParameter("s_producer", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = sProducer });
        parameters.Add(new NpgsqlParameter("s_sequence", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = sSequence });
        parameters.Add(new NpgsqlParameter("s_first", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = sFirst });
        parameters.Add(new NpgsqlParameter("s_count", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = sCount });
        return command;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Group commit of {Writes} partition writes took {ElapsedMs:0.0} ms")]
    private partial void LogCommitted(int writes, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group commit of {Writes} partition writes failed: {Reason}")]
    private partial void LogCommitFailed(int writes, string reason, Exception error);
}
