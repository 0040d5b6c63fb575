using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Queue.Node.Persistence;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.Node.Tests.Persistence;

/// <summary>Concurrent produces over HTTP share transactions, and each ack means the row is committed.</summary>
[Collection(PostgresCollection.Name)]
public sealed class GroupCommitTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Two_hundred_concurrent_produces_take_far_fewer_commits_and_every_ack_is_committed()
    {
        const int produces = 200;
        const int partitions = 8;
        await using var node = await TestNode.StartAsync(s => s with { Journal = s.Journal with { Postgres = database.ConnectionString } });
        var topic = "group-" + Guid.NewGuid().ToString("N")[..8];
        await node.Http.CreateTopicAsync(topic, partitions);
        var producer = await node.Http.RegisterProducerAsync(topic);
        // Recover every partition first, so the count below is only produce commits.
        for (var p = 0; p < partitions; p++)
        {
            Assert.Equal(HttpStatusCode.OK, (await node.Http.ProduceAsync(topic, producer, "warm-up", p)).Status);
        }
        var journal = node.Services.GetRequiredService<PostgresJournal>();
        var commitsBefore = journal.Commits;

        var watch = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, produces).Select(i => node.Http.ProduceAsync(topic, producer, $"m{i}", i % partitions)));
        watch.Stop();

        var commits = journal.Commits - commitsBefore;
        output.WriteLine($"{produces} concurrent produces over {partitions} partitions: {commits} group commits, {watch.Elapsed.TotalMilliseconds:0} ms");
        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.True(commits < produces / 2, $"{produces} concurrent produces took {commits} commits; group commit should share them");

        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using var count = dataSource.CreateCommand($"SELECT count(*) FROM messages WHERE topic = '{topic}'");
        Assert.Equal(produces + partitions, (long)(await count.ExecuteScalarAsync())!);
    }

    /// <summary>
    /// Sustained load: 64 clients producing one message per request (the seed API's shape) for
    /// 4,000 requests. Prints throughput and commits per second; asserts only that commits were shared.
    /// </summary>
    [Fact]
    public async Task Sustained_single_message_produces_are_committed_in_groups()
    {
        const int clients = 64;
        const int perClient = 4_000 / clients;
        const int partitions = 8;
        await using var node = await TestNode.StartAsync(s => s with { Journal = s.Journal with { Postgres = database.ConnectionString } });
        var topic = "sustained-" + Guid.NewGuid().ToString("N")[..8];
        await node.Http.CreateTopicAsync(topic, partitions);
        var producer = await node.Http.RegisterProducerAsync(topic);
        var journal = node.Services.GetRequiredService<PostgresJournal>();
        var commitsBefore = journal.Commits;

        var watch = Stopwatch.StartNew();
        var failures = await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            var failed = 0;
            for (var i = 0; i < perClient; i++)
            {
                if ((await node.Http.ProduceAsync(topic, producer, $"c{c}-{i}")).Status != HttpStatusCode.OK)
                {
                    failed++;
                }
            }
            return failed;
        }));
        watch.Stop();

        var total = clients * perClient;
        var commits = journal.Commits - commitsBefore;
        output.WriteLine($"{total} produces from {clients} clients over {partitions} partitions: {watch.Elapsed.TotalMilliseconds:0} ms, " +
            $"{total / watch.Elapsed.TotalSeconds:0} acked messages/s, {commits} group commits ({(double)total / commits:0.0} messages per commit)");
        Assert.Equal(0, failures.Sum());
        Assert.True(commits < total / 2, $"{total} produces took {commits} commits");
    }
}
