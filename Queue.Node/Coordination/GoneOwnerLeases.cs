using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Npgsql;
using NpgsqlTypes;
using Queue.Core.Cluster;

namespace Queue.Node.Coordination;

/// <summary>
/// When crash-downing has proved a member's process gone, lets that member's PostgreSQL leases
/// (its shards', and the catalogue singleton's if it was the oldest) lapse at once instead of
/// after their TTL, so their next holders can start as soon as sharding and the singleton place
/// them.
/// </summary>
/// <remarks>
/// <para>
/// Why this is safe: a lease's TTL exists for a holder that may still be alive and acting — frozen,
/// slow or cut off — and must be given the time to notice it lost the lease. A process whose port
/// refuses connections twice after its connections dropped (<see cref="CrashDowning"/>) is not
/// alive: it holds nothing, writes nothing, and its database connections were closed by its
/// kernel. Waiting out its TTL bought nothing and cost 2.25–3 s of every crash failover
/// (docs/cluster.md). The lease's other guarantees are untouched: the fencing counter still grows
/// on the hand-over, and the journal's unique key still refuses a second writer.
/// </para>
/// <para>
/// The limit is crash-downing's own: a firewall that answers with TCP resets during a partition
/// would make a live member look gone; then its leases are released too, and only the journal's
/// key fences its writes. Turn queue.cluster.crash-downing off on such networks (which turns
/// this off as well).
/// </para>
/// </remarks>
public sealed class GoneOwnerLeases : ReceiveActor
{
    /// <summary>The actor's name under /user.</summary>
    public const string Name = "gone-owner-leases";

    private readonly ILoggingAdapter _log = Context.GetLogger();

    public GoneOwnerLeases(string connectionString, string table, TimeSpan ttl, TimeSpan operationTimeout)
    {
        var extension = PostgresLeaseExtension.Get(Context.System);
        table = PostgresLeaseSql.ValidateTable(table);
        ReceiveAsync<CrashDowning.DownedAsGone>(async gone =>
        {
            // Akka names a lease's owner by the holder's address (system@host:port), for shards
            // and singletons alike.
            var owner = gone.Member.Address.HostPort();
            try
            {
                using var cancel = new CancellationTokenSource(operationTimeout);
                await extension.EnsureTableAsync(connectionString, table, cancel.Token);
                await using var command = extension.DataSource(connectionString).CreateCommand(PostgresLeaseSql.ReleaseGoneOwner(table));
                command.CommandTimeout = Math.Max(1, (int)Math.Ceiling(operationTimeout.TotalSeconds));
                command.Parameters.Add(new NpgsqlParameter("owner", NpgsqlDbType.Text) { Value = owner });
                command.Parameters.Add(new NpgsqlParameter("ttl", NpgsqlDbType.Interval) { Value = ttl });
                command.Parameters.Add(new NpgsqlParameter("gone_for", NpgsqlDbType.Interval) { Value = Stopwatch.GetElapsedTime(gone.GoneBy) });
                var released = new List<string>();
                await using (var reader = await command.ExecuteReaderAsync(cancel.Token))
                {
                    while (await reader.ReadAsync(cancel.Token))
                    {
                        released.Add(reader.GetString(0));
                    }
                }
                if (released.Count > 0)
                {
                    _log.Info("Released {0} lease(s) of gone member {1} so their next holders need not wait out the ttl: {2}",
                        released.Count, owner, string.Join(", ", released));
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException or ObjectDisposedException)
            {
                // Harmless: the leases then lapse after their ttl, as without this.
                _log.Warning("Could not release the leases of gone member {0} ({1}: {2}); they lapse after their ttl", owner, ex.GetType().Name, ex.Message);
            }
        });
    }

    public static Props Props(string connectionString, string table, TimeSpan ttl, TimeSpan operationTimeout) =>
        Akka.Actor.Props.Create(() => new GoneOwnerLeases(connectionString, table, ttl, operationTimeout));

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(CrashDowning.DownedAsGone));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
