using Npgsql;
using NpgsqlTypes;
using Queue.Core.Journal;
using Queue.Core.Log;

namespace Queue.Node.Persistence;

/// <summary>
/// Topics, producers and consumers in PostgreSQL. Ids come from identity sequences, so every node
/// sharing the database hands out unique ones. Every call is bounded by the journal's time limit
/// and reports an unreachable database as <see cref="JournalUnavailableException"/> (503 at the edge).
/// </summary>
internal sealed class PostgresCatalog(NpgsqlDataSource dataSource, TimeSpan timeout) : IMetadataJournal
{
    private const string ForeignKeyViolation = "23503";

    public Task<IReadOnlyList<TopicInfo>> ListTopicsAsync(CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<TopicInfo>>("listing topics", async token =>
        {
            // COLLATE "C": byte order, the same ordinal order the in-memory journal uses.
            await using var command = dataSource.CreateCommand("SELECT name, partitions FROM topics ORDER BY name COLLATE \"C\"");
            await using var reader = await command.ExecuteReaderAsync(token);
            var topics = new List<TopicInfo>();
            while (await reader.ReadAsync(token))
            {
                topics.Add(new TopicInfo(reader.GetString(0), reader.GetInt32(1)));
            }
            return topics;
        }, cancellationToken);

    public Task<TopicInfo?> GetTopicAsync(string name, CancellationToken cancellationToken) =>
        RunAsync("reading a topic", token => FindTopicAsync(name, token), cancellationToken);

    public Task<(TopicInfo Topic, bool Created)> CreateTopicAsync(string name, int partitions, CancellationToken cancellationToken) =>
        RunAsync("creating a topic", async token =>
        {
            await using (var command = dataSource.CreateCommand(
                "INSERT INTO topics (name, partitions) VALUES (@name, @partitions) ON CONFLICT (name) DO NOTHING RETURNING name, partitions"))
            {
                command.Parameters.Add(new NpgsqlParameter("name", NpgsqlDbType.Text) { Value = name });
                command.Parameters.Add(new NpgsqlParameter("partitions", NpgsqlDbType.Integer) { Value = partitions });
                await using var reader = await command.ExecuteReaderAsync(token);
                if (await reader.ReadAsync(token))
                {
                    return (new TopicInfo(reader.GetString(0), reader.GetInt32(1)), true);
                }
            }
            // It existed (or another node created it a moment ago): report the stored one.
            var existing = await FindTopicAsync(name, token)
                ?? throw new InvalidOperationException($"topic '{name}' neither inserted nor found");
            return (existing, false);
        }, cancellationToken);

    public Task<ProducerInfo> RegisterProducerAsync(string topic, int? partition, CancellationToken cancellationToken) =>
        RunAsync("registering a producer", async token =>
        {
            var id = await InsertMemberAsync("INSERT INTO producers (topic, partition) VALUES (@topic, @partition) RETURNING id", topic, partition, null, token);
            return new ProducerInfo(id, topic, partition);
        }, cancellationToken);

    public Task<ConsumerInfo> RegisterConsumerAsync(string topic, int? partition, StartFrom from, CancellationToken cancellationToken) =>
        RunAsync("registering a consumer", async token =>
        {
            var id = await InsertMemberAsync(
                "INSERT INTO consumers (topic, partition, start_from) VALUES (@topic, @partition, @from) RETURNING id", topic, partition, from, token);
            return new ConsumerInfo(id, topic, partition, from);
        }, cancellationToken);

    public Task<ProducerInfo?> GetProducerAsync(long id, CancellationToken cancellationToken) =>
        RunAsync("reading a producer", async token =>
        {
            await using var command = dataSource.CreateCommand("SELECT topic, partition FROM producers WHERE id = @id");
            command.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Bigint) { Value = id });
            await using var reader = await command.ExecuteReaderAsync(token);
            return await reader.ReadAsync(token)
                ? new ProducerInfo(id, reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt32(1))
                : null;
        }, cancellationToken);

    public Task<ConsumerInfo?> GetConsumerAsync(long id, CancellationToken cancellationToken) =>
        RunAsync("reading a consumer", async token =>
        {
            await using var command = dataSource.CreateCommand("SELECT topic, partition, start_from FROM consumers WHERE id = @id");
            command.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Bigint) { Value = id });
            await using var reader = await command.ExecuteReaderAsync(token);
            return await reader.ReadAsync(token)
                ? new ConsumerInfo(id, reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt32(1),
                    reader.GetString(2) == "earliest" ? StartFrom.Earliest : StartFrom.Latest)
                : null;
        }, cancellationToken);

    private async Task<TopicInfo?> FindTopicAsync(string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT name, partitions FROM topics WHERE name = @name");
        command.Parameters.Add(new NpgsqlParameter("name", NpgsqlDbType.Text) { Value = name });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new TopicInfo(reader.GetString(0), reader.GetInt32(1)) : null;
    }

    private async Task<long> InsertMemberAsync(string sql, string topic, int? partition, StartFrom? from, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter("topic", NpgsqlDbType.Text) { Value = topic });
        command.Parameters.Add(new NpgsqlParameter("partition", NpgsqlDbType.Integer) { Value = partition is { } p ? p : DBNull.Value });
        if (from is { } start)
        {
            command.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.Text) { Value = start == StartFrom.Earliest ? "earliest" : "latest" });
        }
        try
        {
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (PostgresException ex) when (ex.SqlState == ForeignKeyViolation)
        {
            // The same exception the in-memory journal throws for a missing topic.
            throw new KeyNotFoundException($"topic '{topic}' does not exist");
        }
    }

    private Task<T> RunAsync<T>(string operation, Func<CancellationToken, Task<T>> body, CancellationToken cancellationToken) =>
        PostgresErrors.RunAsync(operation, timeout, body, cancellationToken);
}
