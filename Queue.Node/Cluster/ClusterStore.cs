using Npgsql;
using NpgsqlTypes;
using Queue.Core.Cluster;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Node.Persistence;

namespace Queue.Node.Cluster;

/// <summary>
/// The cluster's durable facts in PostgreSQL: the manager lease, members, shard allocations and
/// the seeds' health facts. Every call is bounded by the journal's operation timeout and fails
/// with JournalUnavailableException when the database cannot be reached.
/// </summary>
internal sealed class ClusterStore(NpgsqlDataSource dataSource, TimeSpan timeout)
{
    /// <summary>
    /// Takes the manager lease if it has lapsed (by the database clock), bumping its epoch.
    /// A node restarted under the same id may take its own lease at once: its old process is gone.
    /// </summary>
    public Task<long?> TryTakeLeaseAsync(string nodeId, string address, TimeSpan ttl, CancellationToken cancellationToken) =>
        Run("taking the manager lease", async token =>
        {
            await using var command = dataSource.CreateCommand("""
                UPDATE manager_lease SET holder = @node, address = @address, epoch = epoch + 1, expires_at = now() + @ttl
                WHERE id = 1 AND (expires_at <= now() OR holder = @node)
                RETURNING epoch
                """);
            command.Parameters.Add(new NpgsqlParameter("node", NpgsqlDbType.Text) { Value = nodeId });
            command.Parameters.Add(new NpgsqlParameter("address", NpgsqlDbType.Text) { Value = address });
            command.Parameters.Add(new NpgsqlParameter("ttl", NpgsqlDbType.Interval) { Value = ttl });
            return await command.ExecuteScalarAsync(token) is long epoch ? epoch : (long?)null;
        }, cancellationToken);

    /// <summary>Extends the lease; false when it is no longer ours (expired, or taken over).</summary>
    public Task<bool> RenewLeaseAsync(string nodeId, long epoch, TimeSpan ttl, CancellationToken cancellationToken) =>
        Run("renewing the manager lease", async token =>
        {
            await using var command = dataSource.CreateCommand("""
                UPDATE manager_lease SET expires_at = now() + @ttl
                WHERE id = 1 AND holder = @node AND epoch = @epoch AND expires_at > now()
                """);
            command.Parameters.Add(new NpgsqlParameter("node", NpgsqlDbType.Text) { Value = nodeId });
            command.Parameters.Add(new NpgsqlParameter("epoch", NpgsqlDbType.Bigint) { Value = epoch });
            command.Parameters.Add(new NpgsqlParameter("ttl", NpgsqlDbType.Interval) { Value = ttl });
            return await command.ExecuteNonQueryAsync(token) == 1;
        }, cancellationToken);

    /// <summary>Gives the lease up at once (graceful leave), so the next manager need not wait for it to lapse.</summary>
    public Task ReleaseLeaseAsync(string nodeId, long epoch, CancellationToken cancellationToken) =>
        Run("releasing the manager lease", async token =>
        {
            await using var command = dataSource.CreateCommand(
                "UPDATE manager_lease SET expires_at = '-infinity' WHERE id = 1 AND holder = @node AND epoch = @epoch");
            command.Parameters.Add(new NpgsqlParameter("node", NpgsqlDbType.Text) { Value = nodeId });
            command.Parameters.Add(new NpgsqlParameter("epoch", NpgsqlDbType.Bigint) { Value = epoch });
            return await command.ExecuteNonQueryAsync(token);
        }, cancellationToken);

    /// <summary>The current manager by the lease; an empty node id when the lease has lapsed.</summary>
    public Task<ManagerInfo> ReadLeaseAsync(CancellationToken cancellationToken) =>
        Run("reading the manager lease", async token =>
        {
            await using var command = dataSource.CreateCommand("SELECT holder, address, epoch, expires_at > now() FROM manager_lease WHERE id = 1");
            await using var reader = await command.ExecuteReaderAsync(token);
            if (!await reader.ReadAsync(token) || !reader.GetBoolean(3))
            {
                return new ManagerInfo("", "", 0);
            }
            return new ManagerInfo(reader.GetString(0), reader.GetString(1), reader.GetInt64(2));
        }, cancellationToken);

    public Task<IReadOnlyList<ClusterMember>> LoadMembersAsync(CancellationToken cancellationToken) =>
        Run<IReadOnlyList<ClusterMember>>("loading cluster members", async token =>
        {
            await using var command = dataSource.CreateCommand(
                "SELECT node_id, address, roles, http_address, status, last_heartbeat FROM cluster_members ORDER BY node_id COLLATE \"C\"");
            await using var reader = await command.ExecuteReaderAsync(token);
            var members = new List<ClusterMember>();
            while (await reader.ReadAsync(token))
            {
                members.Add(new ClusterMember(
                    reader.GetString(0), reader.GetString(1), reader.GetFieldValue<string[]>(2), reader.GetString(3),
                    ParseStatus(reader.GetString(4)), reader.GetFieldValue<DateTimeOffset>(5)));
            }
            return members;
        }, cancellationToken);

    /// <summary>Writes members' status and last heartbeat, all in one statement.</summary>
    public Task SaveMembersAsync(IReadOnlyCollection<ClusterMember> members, CancellationToken cancellationToken) =>
        members.Count == 0 ? Task.CompletedTask : Run("saving cluster members", async token =>
        {
            await using var command = dataSource.CreateCommand("""
                INSERT INTO cluster_members (node_id, address, http_address, roles, status, last_heartbeat)
                SELECT m.node_id, m.address, m.http_address, string_to_array(m.roles, ','), m.status, m.last_heartbeat
                FROM unnest(@ids, @addresses, @https, @roles, @statuses, @heartbeats) AS m(node_id, address, http_address, roles, status, last_heartbeat)
                ON CONFLICT (node_id) DO UPDATE SET address = EXCLUDED.address, http_address = EXCLUDED.http_address,
                    roles = EXCLUDED.roles, status = EXCLUDED.status, last_heartbeat = EXCLUDED.last_heartbeat
                """);
            command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = members.Select(m => m.NodeId).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("addresses", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = members.Select(m => m.Address).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("https", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = members.Select(m => m.HttpAddress).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("roles", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = members.Select(m => string.Join(',', m.Roles)).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("statuses", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = members.Select(m => m.Status.ToString().ToLowerInvariant()).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("heartbeats", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = members.Select(m => m.LastHeartbeat.UtcDateTime).ToArray() });
            return await command.ExecuteNonQueryAsync(token);
        }, cancellationToken);

    public Task<IReadOnlyList<ShardAllocation>> LoadAllocationsAsync(CancellationToken cancellationToken) =>
        Run<IReadOnlyList<ShardAllocation>>("loading shard allocations", async token =>
        {
            await using var command = dataSource.CreateCommand("SELECT shard, owner, epoch FROM shard_allocations ORDER BY shard");
            await using var reader = await command.ExecuteReaderAsync(token);
            var allocations = new List<ShardAllocation>();
            while (await reader.ReadAsync(token))
            {
                allocations.Add(new ShardAllocation(reader.GetInt32(0), reader.GetString(1), reader.GetInt64(2)));
            }
            return allocations;
        }, cancellationToken);

    /// <summary>
    /// Gives <paramref name="shard"/> to <paramref name="owner"/> under a new epoch, persisted
    /// before anyone is told, and fences the shard's existing partitions at once: from the
    /// commit on, the previous owner's journal writes fail even if it never hears of the move.
    /// The manager's own lease is checked in the same transaction, so a manager that has lost
    /// its lease (paused, cut off) cannot allocate anything.
    /// </summary>
    /// <returns>The new epoch, or null when the caller is no longer the manager.</returns>
    public Task<long?> AllocateAsync(int shard, string owner, IReadOnlyList<PartitionId> partitions, string managerId, long managerEpoch, CancellationToken cancellationToken) =>
        Run("allocating a shard", async token =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(token);
            await using var transaction = await connection.BeginTransactionAsync(token);
            await using (var lease = new NpgsqlCommand(
                "SELECT 1 FROM manager_lease WHERE id = 1 AND holder = @node AND epoch = @epoch AND expires_at > now() FOR UPDATE", connection, transaction))
            {
                lease.Parameters.Add(new NpgsqlParameter("node", NpgsqlDbType.Text) { Value = managerId });
                lease.Parameters.Add(new NpgsqlParameter("epoch", NpgsqlDbType.Bigint) { Value = managerEpoch });
                if (await lease.ExecuteScalarAsync(token) is null)
                {
                    return (long?)null;
                }
            }
            long epoch;
            // An epoch above every partition's, including epochs taken by single-node claims.
            await using (var next = new NpgsqlCommand("""
                SELECT setval('allocation_epochs', GREATEST(nextval('allocation_epochs'), (SELECT coalesce(max(epoch), 0) + 1 FROM partitions)))
                """, connection, transaction))
            {
                epoch = (long)(await next.ExecuteScalarAsync(token))!;
            }
            await using (var upsert = new NpgsqlCommand("""
                INSERT INTO shard_allocations (shard, owner, epoch) VALUES (@shard, @owner, @epoch)
                ON CONFLICT (shard) DO UPDATE SET owner = EXCLUDED.owner, epoch = EXCLUDED.epoch, updated_at = now()
                """, connection, transaction))
            {
                upsert.Parameters.Add(new NpgsqlParameter("shard", NpgsqlDbType.Integer) { Value = shard });
                upsert.Parameters.Add(new NpgsqlParameter("owner", NpgsqlDbType.Text) { Value = owner });
                upsert.Parameters.Add(new NpgsqlParameter("epoch", NpgsqlDbType.Bigint) { Value = epoch });
                await upsert.ExecuteNonQueryAsync(token);
            }
            if (partitions.Count > 0)
            {
                await using var fence = new NpgsqlCommand("""
                    UPDATE partitions AS p SET epoch = @epoch, owner = @owner, updated_at = now()
                    FROM unnest(@topics, @numbers) AS s(topic, partition)
                    WHERE p.topic = s.topic AND p.partition = s.partition AND p.epoch < @epoch
                    """, connection, transaction);
                fence.Parameters.Add(new NpgsqlParameter("epoch", NpgsqlDbType.Bigint) { Value = epoch });
                fence.Parameters.Add(new NpgsqlParameter("owner", NpgsqlDbType.Text) { Value = owner });
                fence.Parameters.Add(new NpgsqlParameter("topics", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = partitions.Select(p => p.Topic).ToArray() });
                fence.Parameters.Add(new NpgsqlParameter("numbers", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = partitions.Select(p => p.Partition).ToArray() });
                await fence.ExecuteNonQueryAsync(token);
            }
            await transaction.CommitAsync(token);
            return epoch;
        }, cancellationToken);

    /// <summary>Upserts the seeds' health facts (last time each producer, consumer or broker was heard from) in one statement.</summary>
    public Task RecordHealthAsync(IReadOnlyCollection<HealthFact> facts, CancellationToken cancellationToken) =>
        facts.Count == 0 ? Task.CompletedTask : Run("recording health facts", async token =>
        {
            await using var command = dataSource.CreateCommand("""
                INSERT INTO health_facts (kind, id, last_seen)
                SELECT f.kind, f.id, f.last_seen FROM unnest(@kinds, @ids, @seen) AS f(kind, id, last_seen)
                ON CONFLICT (kind, id) DO UPDATE SET last_seen = GREATEST(health_facts.last_seen, EXCLUDED.last_seen)
                """);
            command.Parameters.Add(new NpgsqlParameter("kinds", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = facts.Select(f => f.Kind).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = facts.Select(f => f.Id).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("seen", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = facts.Select(f => f.LastSeen.UtcDateTime).ToArray() });
            return await command.ExecuteNonQueryAsync(token);
        }, cancellationToken);

    public Task<IReadOnlyList<HealthFact>> LoadHealthAsync(CancellationToken cancellationToken) =>
        Run<IReadOnlyList<HealthFact>>("reading health facts", async token =>
        {
            await using var command = dataSource.CreateCommand("SELECT kind, id, last_seen FROM health_facts ORDER BY kind, id");
            await using var reader = await command.ExecuteReaderAsync(token);
            var facts = new List<HealthFact>();
            while (await reader.ReadAsync(token))
            {
                facts.Add(new HealthFact(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
            }
            return facts;
        }, cancellationToken);

    private static MemberStatus ParseStatus(string text) => text switch
    {
        "up" => MemberStatus.Up,
        "unreachable" => MemberStatus.Unreachable,
        "down" => MemberStatus.Down,
        _ => MemberStatus.Left,
    };

    private Task<T> Run<T>(string operation, Func<CancellationToken, Task<T>> body, CancellationToken cancellationToken) =>
        PostgresErrors.RunAsync(operation, timeout, body, cancellationToken);
}
