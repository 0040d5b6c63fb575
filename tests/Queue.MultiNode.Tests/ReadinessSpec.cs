using System.Net;
using Npgsql;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// /ready tells a load balancer the truth: a broker cut off from PostgreSQL, and an edge whose
/// brokers (and so its manager) are all gone, report 503 instead of taking traffic they cannot serve.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class ReadinessSpec(ITestOutputHelper output)
{
    [Fact]
    public async Task A_broker_that_loses_its_database_reports_not_ready_and_recovers_when_it_returns()
    {
        await using var cluster = await TestCluster.CreateAsync(output);
        var server = await PostgresServer.SharedAsync();
        await using var proxy = new TcpProxy("127.0.0.1", server.Port);
        var throughProxy = new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString;
        await cluster.StartBrokerAsync("b1");
        await cluster.StartBrokerAsync("b2", postgres: throughProxy);
        await cluster.WaitUntilFormedAsync(TestCluster.FormTimeout);

        proxy.Cut();
        var cut = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.True(async () => await Admin.ReadyStatusAsync(cluster["b2"].Http) == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), "b2, cut off from PostgreSQL, answers /ready with 503");
        output.WriteLine($"b2 reported not ready {cut.Elapsed.TotalSeconds:0.0} s after its database was cut");
        // The broker that still has its database stays ready.
        Assert.Equal(HttpStatusCode.OK, await Admin.ReadyStatusAsync(cluster["b1"].Http));

        proxy.Restore();
        await Eventually.True(async () => await Admin.ReadyStatusAsync(cluster["b2"].Http) == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60), "b2 is ready again once its database is back");
    }

    [Fact]
    public async Task An_edge_whose_brokers_are_all_gone_reports_not_ready()
    {
        await using var cluster = await TestCluster.CreateAsync(output);
        await cluster.StartAsync(["b1", "b2"], ["e1"]);
        await cluster.WaitUntilFormedAsync(TestCluster.FormTimeout);

        await cluster.KillAsync("b1");
        await cluster.KillAsync("b2");
        var killed = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.True(async () => await Admin.ReadyStatusAsync(cluster["e1"].Http) == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), "e1, with no broker and no manager left, answers /ready with 503");
        output.WriteLine($"e1 reported not ready {killed.Elapsed.TotalSeconds:0.0} s after the last broker was killed");
    }
}
