using System.Diagnostics;
using System.Net;
using Queue.Core.Configuration;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.Node.Tests.Persistence;

/// <summary>
/// The database server itself is shut down (fast shutdown: sessions are terminated, as in a
/// restart or fail-over) and started again on the same port and data. Complements
/// <see cref="OutageTests"/>, which breaks the network in front of the server.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ServerRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_node_answers_503_while_the_server_is_down_and_serves_again_after_it_restarts()
    {
        if (!PostgresServer.BinariesAvailable && Environment.GetEnvironmentVariable(PostgresServer.OverrideVariable) is { Length: > 0 })
        {
            // Stopping a server needs one of our own; with only an external server the proxy-based
            // OutageTests cover the outage.
            output.WriteLine("No PostgreSQL binaries here: this test needs a server it may stop; OutageTests covers the outage against the external one.");
            return;
        }
        await using var server = await PostgresServer.StartAsync();
        var connectionString = await server.CreateDatabaseAsync("restart");
        await using var node = await TestNode.StartAsync(s => s with
        {
            Http = s.Http with { RequestTimeout = TimeSpan.FromSeconds(4) },
            Journal = s.Journal with { Kind = JournalKind.Postgres, Postgres = connectionString, WriteTimeout = TimeSpan.FromSeconds(2) },
        });
        var topic = "server-restart";
        await node.Http.CreateTopicAsync(topic, 1);
        var producer = await node.Http.RegisterProducerAsync(topic);
        var consumer = await node.Http.RegisterConsumerAsync(topic);
        Assert.Equal(HttpStatusCode.OK, (await node.Http.ProduceAsync(topic, producer, "before")).Status);

        await server.StopAsync();

        var watch = Stopwatch.StartNew();
        var (status, body) = await node.Http.ProduceAsync(topic, producer, "during");
        output.WriteLine($"produce while the server is down: {(int)status} after {watch.Elapsed.TotalMilliseconds:0} ms: {body}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"produce took {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await node.Http.ConsumeAsync(topic, consumer)).Status);

        await server.RestartAsync();
        await Eventually.True(async () => (await node.Http.ProduceAsync(topic, producer, "after")).Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the node produces again after the server restarted");

        var delivered = await node.Http.DrainAsync(topic, consumer);
        Assert.Equal(["before", "after"], delivered.Select(d => d.Message).ToList());
    }
}
