using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Queue.Core.Configuration;
using Queue.Core.Journal;
using Queue.Core.Log;

namespace Queue.Node.Persistence;

/// <summary>
/// The partition journal in PostgreSQL (schema in <see cref="Migrations"/>, design in
/// docs/persistence.md). Writes go through the node's <see cref="GroupCommitWriter"/>; recovery
/// reads one partitions row, the partition's consumer positions and an index range of the newest
/// messages, so its cost does not grow with the log.
/// </summary>
internal sealed partial class PostgresJournal : IPartitionJournal, IAsyncDisposable
{
    // Claiming without an assigned epoch (single node): bump whatever is stored, fencing every
    // earlier owner. With an assigned epoch: take it only if it is not older than the stored one.
    private const string ClaimSql = """
        INSERT INTO partitions AS p (topic, partition, epoch, owner) VALUES (@topic, @partition, 1, @owner)
        ON CONFLICT (topic, partition) DO UPDATE SET epoch = p.epoch + 1, owner = EXCLUDED.owner, updated_at = now()
        RETURNING epoch, log_start, high_watermark
        """;

    private const string ClaimAssignedSql = """
        INSERT INTO partitions AS p (topic, partition, epoch, owner) VALUES (@topic, @partition, @epoch, @owner)
        ON CONFLICT (topic, partition) DO UPDATE SET epoch = EXCLUDED.epoch, owner = EXCLUDED.owner, updated_at = now()
        WHERE p.epoch <= EXCLUDED.epoch
        RETURNING epoch, log_start, high_watermark
        """;

    private const string PositionsSql = "SELECT consumer_id, position FROM consumer_positions WHERE topic = @topic AND partition = @partition";

    private const string SequencesSql =
        "SELECT producer_id, sequence, first_offset, count FROM producer_sequences WHERE topic = @topic AND partition = @partition";

    // Runs after the claim in the same implicit transaction, so it sees the claimed row.
    private const string TailSql = """
        SELECT msg_offset, payload, producer_id, created_at
          FROM messages
         WHERE topic = @topic AND partition = @partition
           AND msg_offset >= (SELECT greatest(log_start, high_watermark - @tail) FROM partitions WHERE topic = @topic AND partition = @partition)
           AND msg_offset < (SELECT high_watermark FROM partitions WHERE topic = @topic AND partition = @partition)
         ORDER BY msg_offset
        """;

    private const string PageSql = """
        SELECT msg_offset, payload, producer_id, created_at
          FROM messages
         WHERE topic = @topic AND partition = @partition AND msg_offset >= @from
         ORDER BY msg_offset
         LIMIT @max
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly GroupCommitWriter _writer;
    private readonly TimeSpan _timeout;
    private readonly string _owner;
    private readonly ILogger _logger;

    public PostgresJournal(NpgsqlDataSource dataSource, JournalSettings settings, string owner, ILoggerFactory loggers)
    {
        _dataSource = dataSource;
        _timeout = settings.WriteTimeout;
        _owner = owner;
        _logger = loggers.CreateLogger<PostgresJournal>();
        _writer = new GroupCommitWriter(dataSource, settings.WriteTimeout, settings.MaxBatchRows, settings.MaxBatchBytes, loggers.CreateLogger<GroupCommitWriter>());
    }

    /// <summary>Group commits so far; tests use it to see that concurrent writes share transactions.</summary>
    public long Commits => _writer.Commits;

    public async Task<PartitionRecovery> RecoverAsync(PartitionId partition, long? epoch, int tailMessages, CancellationToken cancellationToken)
    {
        var recovery = await PostgresErrors.RunAsync($"recovering partition {partition}", _timeout, async token =>
        {
            await using var batch = _dataSource.CreateBatch();
            var claim = new NpgsqlBatchCommand(epoch is null ? ClaimSql : ClaimAssignedSql);
            AddPartition(claim, partition);
            claim.Parameters.Add(new NpgsqlParameter("owner", NpgsqlDbType.Text) { Value = _owner });
            if (epoch is { } assigned)
            {
                claim.Parameters.Add(new NpgsqlParameter("epoch", NpgsqlDbType.Bigint) { Value = assigned });
            }
            var positions = new NpgsqlBatchCommand(PositionsSql);
            AddPartition(positions, partition);
            var tail = new NpgsqlBatchCommand(TailSql);
            AddPartition(tail, partition);
            tail.Parameters.Add(new NpgsqlParameter("tail", NpgsqlDbType.Bigint) { Value = (long)tailMessages });
            var sequences = new NpgsqlBatchCommand(SequencesSql);
            AddPartition(sequences, partition);
            batch.BatchCommands.Add(claim);
            batch.BatchCommands.Add(positions);
            batch.BatchCommands.Add(tail);
            batch.BatchCommands.Add(sequences);

            // One round trip, one implicit transaction: the claim commits together with the reads
            // that depend on it.
            await using var reader = await batch.ExecuteReaderAsync(token);
            if (!await reader.ReadAsync(token))
            {
                return null;
            }
            var (claimed, logStart, highWatermark) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            await reader.NextResultAsync(token);
            var consumerPositions = new Dictionary<long, long>();
            while (await reader.ReadAsync(token))
            {
                consumerPositions[reader.GetInt64(0)] = reader.GetInt64(1);
            }
            await reader.NextResultAsync(token);
            var messages = await ReadMessagesAsync(reader, token);
            await reader.NextResultAsync(token);
            var producerBatches = new List<ProducerBatchRecord>();
            while (await reader.ReadAsync(token))
            {
                producerBatches.Add(new ProducerBatchRecord(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt32(3)));
            }
            return new PartitionRecovery(claimed, logStart, highWatermark, consumerPositions, messages) { Sequences = producerBatches };
        }, cancellationToken);

        if (recovery is null)
        {
            var current = await CurrentEpochAsync(partition, cancellationToken);
            throw new JournalFencedException(partition, epoch!.Value, current);
        }
        LogClaimed(partition.Topic, partition.Partition, recovery.Epoch, recovery.HighWatermark, recovery.Tail.Count);
        return recovery;
    }

    public Task WriteAsync(PartitionId partition, long epoch, PartitionWrite write, CancellationToken cancellationToken)
    {
        if (write.IsEmpty)
        {
            return Task.CompletedTask;
        }
        // Checked here, before the write joins a group, so a bad write fails alone instead of
        // failing the statement that carries other partitions' writes.
        WriteValidation.Validate(partition, write);
        return _writer.WriteAsync(new PendingWrite(partition, epoch, write), cancellationToken);
    }

    public Task<IReadOnlyList<StoredMessage>> ReadAsync(PartitionId partition, long fromOffset, int max, CancellationToken cancellationToken) =>
        PostgresErrors.RunAsync<IReadOnlyList<StoredMessage>>($"reading partition {partition}", _timeout, async token =>
        {
            await using var command = _dataSource.CreateCommand(PageSql);
            AddPartition(command.Parameters, partition);
            command.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.Bigint) { Value = fromOffset });
            command.Parameters.Add(new NpgsqlParameter("max", NpgsqlDbType.Integer) { Value = Math.Max(0, max) });
            await using var reader = await command.ExecuteReaderAsync(token);
            return await ReadMessagesAsync(reader, token);
        }, cancellationToken);

    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    private Task<long?> CurrentEpochAsync(PartitionId partition, CancellationToken cancellationToken) =>
        PostgresErrors.RunAsync($"reading the epoch of partition {partition}", _timeout, async token =>
        {
            await using var command = _dataSource.CreateCommand("SELECT epoch FROM partitions WHERE topic = @topic AND partition = @partition");
            AddPartition(command.Parameters, partition);
            return (long?)await command.ExecuteScalarAsync(token);
        }, cancellationToken);

    private static async Task<IReadOnlyList<StoredMessage>> ReadMessagesAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var messages = new List<StoredMessage>();
        while (await reader.ReadAsync(cancellationToken))
        {
            messages.Add(new StoredMessage(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetInt64(2),
                new DateTimeOffset(reader.GetFieldValue<DateTime>(3), TimeSpan.Zero)));
        }
        return messages;
    }

    private static void AddPartition(NpgsqlBatchCommand command, PartitionId partition) => AddPartition(command.Parameters, partition);

    private static void AddPartition(NpgsqlParameterCollection parameters, PartitionId partition)
    {
        parameters.Add(new NpgsqlParameter("topic", NpgsqlDbType.Text) { Value = partition.Topic });
        parameters.Add(new NpgsqlParameter("partition", NpgsqlDbType.Integer) { Value = partition.Partition });
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Claimed partition {Topic}/{Partition} at epoch {Epoch}: high-water mark {HighWatermark}, {TailMessages} tail messages loaded")]
    private partial void LogClaimed(string topic, int partition, long epoch, long highWatermark, int tailMessages);
}
