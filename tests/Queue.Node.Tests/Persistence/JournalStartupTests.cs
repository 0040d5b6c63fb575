using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Queue.Core.Configuration;
using Queue.Node.Persistence;
using Queue.Testing;

namespace Queue.Node.Tests.Persistence;

/// <summary>Start-up against a database that is missing or misconfigured, and what may be logged about it.</summary>
[Collection(PostgresCollection.Name)]
public sealed class JournalStartupTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task An_unreachable_database_fails_start_up_after_the_startup_timeout_with_the_reason_and_no_password()
    {
        var connectionString = $"Host=127.0.0.1;Port={FreePort.Next()};Username=queue;Password=hunter2-secret;Database=queue";
        var settings = new JournalSettings { Postgres = connectionString, StartupTimeout = TimeSpan.FromSeconds(1) };
        await using var dataSource = PostgresConnection.CreateDataSource(connectionString, settings.WriteTimeout, "test");
        var startup = new JournalStartup(dataSource, settings, NullLoggerFactory.Instance);

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => startup.StartAsync(CancellationToken.None));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"start-up gave up after {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.Contains("startup-timeout", error.Message);
        Assert.Contains("Host=127.0.0.1", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
    }

    [Fact]
    public async Task A_missing_database_fails_start_up_at_once()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Database = "no_such_database" }.ConnectionString;
        var settings = new JournalSettings { Postgres = connectionString, StartupTimeout = TimeSpan.FromMinutes(1) };
        await using var dataSource = PostgresConnection.CreateDataSource(connectionString, settings.WriteTimeout, "test");
        var startup = new JournalStartup(dataSource, settings, NullLoggerFactory.Instance);

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => startup.StartAsync(CancellationToken.None));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"start-up gave up after {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.Contains("3D000", error.Message);
    }

    [Fact]
    public async Task A_node_starts_on_an_empty_database_and_keeps_its_data_across_a_restart()
    {
        var topic = "restart-" + Guid.NewGuid().ToString("N")[..8];
        long consumer;
        await using (var first = await TestNode.StartAsync(s => s with { Journal = s.Journal with { Postgres = database.ConnectionString } }))
        {
            await first.Http.CreateTopicAsync(topic, 2);
            var producer = await first.Http.RegisterProducerAsync(topic);
            consumer = await first.Http.RegisterConsumerAsync(topic);
            for (var i = 0; i < 6; i++)
            {
                Assert.Equal(System.Net.HttpStatusCode.OK, (await first.Http.ProduceAsync(topic, producer, $"m{i}", i % 2)).Status);
            }
            Assert.Equal("m0", (await first.Http.ConsumeAsync(topic, consumer, 0)).Body.GetProperty("message").GetString());
            Assert.Equal("m2", (await first.Http.ConsumeAsync(topic, consumer, 0)).Body.GetProperty("message").GetString());
        }

        await using var second = await TestNode.StartAsync(s => s with { Journal = s.Journal with { Postgres = database.ConnectionString } });
        Assert.Equal(4, await second.Http.SizeAsync(topic, consumer));
        var rest = await second.Http.DrainAsync(topic, consumer, 0);
        Assert.Equal([(0, 2L, "m4")], rest);
    }

    [Theory]
    [InlineData("Host=db;Port=5433;Username=queue;Password=s3cret;Database=queue", "Host=db;Port=5433;Database=queue;Username=queue")]
    [InlineData("host=db;password=s3cret", "Host=db;Port=5432;Database=;Username=")]
    [InlineData("not a connection string; password = s3cret", "(unparsable connection string)")]
    public void Connection_strings_are_described_without_their_password(string connectionString, string expected)
    {
        var described = PostgresConnection.Describe(connectionString);
        Assert.Equal(expected, described);
        Assert.DoesNotContain("s3cret", described);
    }
}
