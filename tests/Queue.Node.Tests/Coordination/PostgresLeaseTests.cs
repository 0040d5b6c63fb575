using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Coordination;
using Npgsql;
using Queue.Node.Coordination;
using Queue.Node.Tests.Persistence;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.Node.Tests.Coordination;

/// <summary>
/// The PostgreSQL lease against a real server. Leases come from Akka's LeaseProvider exactly as
/// sharding and the singleton get them. The TTL is short (2 s) to keep the tests quick; every
/// wait is for a condition with generous patience, since these run on loaded two-core machines.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLeaseTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<PostgresDatabase>
{
    private const string ConfigPath = "akkaqueue.postgres-lease";
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly PostgresDatabase _database;
    private readonly ITestOutputHelper _output;
    private readonly List<ActorSystem> _otherSystems = [];

    public PostgresLeaseTests(PostgresDatabase database, ITestOutputHelper output)
        : base(LeaseConfig(database.ConnectionString), nameof(PostgresLeaseTests), output)
    {
        _database = database;
        _output = output;
    }

    [Fact]
    public async Task Acquires_a_free_lease_and_records_it_in_the_table()
    {
        var name = NewName();
        var lease = GetLease(Sys, name, "node-a");

        Assert.False(lease.CheckLease());
        Assert.True(await lease.Acquire());

        Assert.True(lease.CheckLease());
        Assert.Equal(1, lease.FencingToken);
        var row = await ReadRowAsync(name);
        Assert.Equal(("node-a", 1L), (row!.Value.Owner, row.Value.Fencing));
    }

    [Fact]
    public async Task A_second_owner_cannot_acquire_while_the_lease_is_held()
    {
        var name = NewName();
        var a = GetLease(Sys, name, "node-a");
        var b = GetLease(Sys, name, "node-b");

        Assert.True(await a.Acquire());
        Assert.False(await b.Acquire());
        Assert.False(b.CheckLease());
        Assert.Null(b.FencingToken);
        Assert.True(a.CheckLease());
    }

    [Fact]
    public async Task Heartbeats_keep_the_lease_held_well_beyond_the_ttl()
    {
        var name = NewName();
        var a = GetLease(Sys, name, "node-a");
        var b = GetLease(Sys, name, "node-b");
        var lost = 0;
        Assert.True(await a.Acquire(_ => Interlocked.Increment(ref lost)));

        // Three TTLs: without renewals the row would have lapsed twice over.
        var held = Stopwatch.StartNew();
        while (held.Elapsed < 3 * Ttl)
        {
            Assert.False(await b.Acquire(), $"node-b took the lease {held.Elapsed.TotalSeconds:0.0} s after node-a acquired it");
            await Task.Delay(100);
        }

        Assert.True(a.CheckLease());
        Assert.Equal(0, Volatile.Read(ref lost));
        Assert.Equal(1, a.FencingToken);
    }

    [Fact]
    public async Task When_the_holder_stops_renewing_it_lets_go_before_another_owner_takes_over_with_a_higher_token()
    {
        var name = NewName();
        var a = GetLease(Sys, name, "node-a");
        var b = GetLease(Sys, name, "node-b");
        var lostReasons = new List<Exception?>();
        Assert.True(await a.Acquire(reason => { lock (lostReasons) { lostReasons.Add(reason); } }));
        var before = a.FencingToken;

        a.RenewalsPaused = true;
        var paused = Stopwatch.StartNew();
        var holderStillBelievedItHeld = true;
        await Eventually.True(async () =>
        {
            if (!await b.Acquire())
            {
                return false;
            }
            // Sampled at once: b's statement ran before this point, so a must have let go by now.
            holderStillBelievedItHeld = a.CheckLease();
            return true;
        }, Patience, "node-b takes over the lease node-a no longer renews");
        _output.WriteLine($"takeover {paused.Elapsed.TotalMilliseconds:0} ms after renewals stopped (TTL {Ttl.TotalMilliseconds:0} ms)");

        Assert.False(holderStillBelievedItHeld);
        Assert.Null(a.FencingToken);
        Assert.Equal(before + 1, b.FencingToken);
        await Eventually.True(() => { lock (lostReasons) { return lostReasons.Count == 1; } }, Patience, "node-a is told it lost the lease");
        lock (lostReasons)
        {
            Assert.IsType<LeaseTimeoutException>(lostReasons.Single());
        }
    }

    [Fact]
    public async Task When_the_holders_actor_system_stops_another_owner_takes_over_after_the_ttl()
    {
        var name = NewName();
        var other = StartSystem(_database.ConnectionString);
        var a = GetLease(other, name, "node-a");
        var b = GetLease(Sys, name, "node-b");
        Assert.True(await a.Acquire());
        var before = a.FencingToken;
        Assert.False(await b.Acquire());

        await other.Terminate().WaitAsync(Patience);
        var waited = Stopwatch.StartNew();
        await Eventually.True(() => b.Acquire(), Patience, "node-b takes over the lease of the stopped node-a");

        Assert.Equal(before + 1, b.FencingToken);
        // Not a timing assertion on the database, a sanity check: the takeover waited for expiry.
        Assert.True(waited.Elapsed > Ttl / 4, $"took over after only {waited.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Losing_the_row_behind_the_holders_back_fires_the_lost_callback_once()
    {
        var name = NewName();
        var a = GetLease(Sys, name, "node-a");
        var lost = 0;
        Exception? reason = null;
        Assert.True(await a.Acquire(r => { reason = r; Interlocked.Increment(ref lost); }));

        await ExecuteAsync("UPDATE akkaqueue_leases SET owner = 'intruder', fencing = fencing + 1 WHERE name = @name", name);

        await Eventually.True(() => Volatile.Read(ref lost) > 0, Patience, "node-a notices its renewal is refused");
        Assert.False(a.CheckLease());
        Assert.Null(a.FencingToken);
        Assert.IsType<LeaseException>(reason);

        // Several heartbeat intervals later: still one call, and the row is left alone.
        var row = await ReadRowAsync(name);
        await Task.Delay(TimeSpan.FromMilliseconds(1000));
        Assert.Equal(1, Volatile.Read(ref lost));
        Assert.Equal(row, await ReadRowAsync(name));
    }

    [Fact]
    public async Task Deleting_the_row_behind_the_holders_back_fires_the_lost_callback()
    {
        var name = NewName();
        var a = GetLease(Sys, name, "node-a");
        var lost = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(await a.Acquire(r => lost.TrySetResult(r)));

        await ExecuteAsync("DELETE FROM akkaqueue_leases WHERE name = @name", name);

        await lost.Task.WaitAsync(Patience);
        Assert.False(a.CheckLease());
    }

    [Fact]
    public async Task Release_lets_another_owner_acquire_at_once()
    {
        var name = NewName();
        var a = GetLease(Sys, name, "node-a");
        var b = GetLease(Sys, name, "node-b");
        var lost = 0;
        Assert.True(await a.Acquire(_ => Interlocked.Increment(ref lost)));

        Assert.True(await a.Release());
        Assert.False(a.CheckLease());
        Assert.True(await b.Acquire());

        Assert.Equal(2, b.FencingToken);
        Assert.Equal(0, Volatile.Read(ref lost));
        // Releasing what is no longer ours is harmless and does not disturb the new holder.
        Assert.True(await a.Release());
        Assert.True(b.CheckLease());
        Assert.Equal("node-b", (await ReadRowAsync(name))!.Value.Owner);
    }

    [Fact]
    public async Task Re_acquiring_by_the_same_owner_keeps_the_fencing_token_and_a_hand_over_raises_it()
    {
        var name = NewName();
        var a = GetLease(Sys, name, "node-a");
        var b = GetLease(Sys, name, "node-b");

        Assert.True(await a.Acquire());
        Assert.True(await a.Acquire());
        Assert.Equal(1, a.FencingToken);
        Assert.True(await a.Release());
        Assert.True(await a.Acquire());
        Assert.Equal(1, a.FencingToken);

        Assert.True(await a.Release());
        Assert.True(await b.Acquire());
        Assert.True(await b.Release());
        Assert.True(await a.Acquire());
        Assert.Equal(3, a.FencingToken);
    }

    [Fact]
    public async Task A_holder_cut_off_from_the_database_steps_down_before_the_other_owner_takes_over()
    {
        var name = NewName();
        var target = new NpgsqlConnectionStringBuilder(_database.ConnectionString);
        await using var proxy = new TcpProxy(target.Host!, target.Port);
        var viaProxy = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString;
        var cutOff = StartSystem(viaProxy);
        var a = GetLease(cutOff, name, "node-a");
        var b = GetLease(Sys, name, "node-b");
        var lost = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(await a.Acquire(r => lost.TrySetResult(r)));

        proxy.Blackhole();

        // Renewals now hang rather than fail: the holder must give up on its own clock.
        var blackholed = Stopwatch.StartNew();
        var reason = await lost.Task.WaitAsync(Patience);
        _output.WriteLine($"holder stepped down {blackholed.Elapsed.TotalMilliseconds:0} ms after the cut");
        Assert.IsType<LeaseTimeoutException>(reason);
        Assert.False(a.CheckLease());
        await Eventually.True(() => b.Acquire(), Patience, "node-b takes over from the cut-off node-a");
        _output.WriteLine($"other owner took over {blackholed.Elapsed.TotalMilliseconds:0} ms after the cut");
        Assert.Equal(2, b.FencingToken);

        // And an acquire that cannot reach the database fails within the operation timeout.
        var acquiring = Stopwatch.StartNew();
        await Assert.ThrowsAsync<LeaseTimeoutException>(() => a.Acquire());
        Assert.True(acquiring.Elapsed < Patience);
    }

    [Fact]
    public async Task An_unreachable_database_makes_acquire_fail_with_a_lease_exception()
    {
        var nowhere = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Host = "127.0.0.1", Port = FreePort.Next() }.ConnectionString;
        var system = StartSystem(nowhere);
        var lease = GetLease(system, NewName(), "node-a");

        var failure = await Assert.ThrowsAnyAsync<LeaseException>(() => lease.Acquire());
        Assert.DoesNotContain("Password", failure.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(lease.CheckLease());
    }

    [Fact]
    public async Task Nodes_starting_at_once_create_the_table_once_and_only_one_gets_the_lease()
    {
        var table = "leases_" + Guid.NewGuid().ToString("N")[..8];
        var systems = Enumerable.Range(0, 4).Select(_ => StartSystem(_database.ConnectionString, table)).ToList();
        var name = NewName();

        var results = await Task.WhenAll(systems.Select((s, i) => GetLease(s, name, $"node-{i}").Acquire()));

        Assert.Single(results, r => r);
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM {table}"));
    }

    protected override void AfterAll()
    {
        foreach (var system in _otherSystems)
        {
            system.Terminate().Wait(Patience);
        }
        base.AfterAll();
    }

    [Fact]
    public async Task The_leases_of_a_member_crash_downing_proved_gone_lapse_at_once_and_a_new_incarnations_are_kept()
    {
        // A TTL no test waits out: if another owner takes the lease within Patience, the release did it.
        var longTtl = TimeSpan.FromMinutes(2);
        var gone = new Address("akka.tcp", "akkaqueue", "127.0.0.1", 25520);
        var owner = gone.HostPort();
        var shardOfTheDead = NewName();
        var dead = StartSystem(_database.ConnectionString, ttl: longTtl);
        Assert.True(await GetLease(dead, shardOfTheDead, owner).Acquire());
        // The process dies: no release, no more renewals. Only then is it seen to be gone.
        await dead.Terminate().WaitAsync(Patience);
        var goneBy = Stopwatch.GetTimestamp();
        await Task.Delay(100);

        // A new incarnation on the same address (same owner name) takes a lease of its own after that.
        var shardOfTheNew = NewName();
        var reborn = StartSystem(_database.ConnectionString, ttl: longTtl);
        Assert.True(await GetLease(reborn, shardOfTheNew, owner).Acquire());

        var releaser = Sys.ActorOf(GoneOwnerLeases.Props(_database.ConnectionString, "akkaqueue_leases", longTtl, TimeSpan.FromSeconds(10)));
        await Task.Delay(200); // its subscription is made in PreStart, after ActorOf returns
        Sys.EventStream.Publish(new Queue.Core.Cluster.CrashDowning.DownedAsGone(new Akka.Cluster.UniqueAddress(gone, 1), goneBy));

        var other = StartSystem(_database.ConnectionString, ttl: longTtl);
        var successor = GetLease(other, shardOfTheDead, "akkaqueue@127.0.0.1:25521");
        await Eventually.True(() => successor.Acquire(), Patience, "another broker takes the gone member's lease long before its ttl");
        Assert.Equal(2, successor.FencingToken);
        // The release ran (one statement, before the successor could acquire); the new
        // incarnation's lease was not part of it.
        Assert.False(await GetLease(other, shardOfTheNew, "akkaqueue@127.0.0.1:25521").Acquire());
        Assert.Equal(owner, (await ReadRowAsync(shardOfTheNew))!.Value.Owner);
        Sys.Stop(releaser);
    }

    private static string NewName() => "test-shard-" + Guid.NewGuid().ToString("N")[..12];

    private static Config LeaseConfig(string connectionString, string table = "akkaqueue_leases", TimeSpan? ttl = null) =>
        ConfigurationFactory.ParseString($$"""
            akkaqueue.postgres-lease {
              lease-class = "Queue.Node.Coordination.PostgresLease, Queue.Node"
              heartbeat-timeout = {{(long)(ttl ?? Ttl).TotalMilliseconds}}ms
              heartbeat-interval = 200ms
              lease-operation-timeout = 3s
              connection-string = "{{connectionString}}"
              table = "{{table}}"
            }
            akka.loglevel = INFO
            """);

    private static PostgresLease GetLease(ActorSystem system, string name, string owner) =>
        Assert.IsType<PostgresLease>(LeaseProvider.Get(system).GetLease(name, ConfigPath, owner));

    private ActorSystem StartSystem(string connectionString, string table = "akkaqueue_leases", TimeSpan? ttl = null)
    {
        var system = ActorSystem.Create("other-" + _otherSystems.Count, LeaseConfig(connectionString, table, ttl));
        _otherSystems.Add(system);
        return system;
    }

    private async Task<(string Owner, long Fencing, DateTime ExpiresAt)?> ReadRowAsync(string name)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT owner, fencing, expires_at FROM akkaqueue_leases WHERE name = @name", connection);
        command.Parameters.AddWithValue("name", name);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetString(0), reader.GetInt64(1), reader.GetDateTime(2)) : null;
    }

    private async Task ExecuteAsync(string sql, string name)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("name", name);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
