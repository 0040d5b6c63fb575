using System.Diagnostics;
using System.Net;
using Npgsql;
using Queue.Core.Configuration;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.Node.Tests.Persistence;

/// <summary>
/// The database goes away (connections cut, or a black hole that never answers) and comes back:
/// produce and consume answer 503 within the request timeout, nothing is acknowledged, and the
/// node serves again by itself once the database is back.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OutageTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(4);
    // Generous for a loaded two-core machine; what matters is that nothing waits unbounded.
    private static readonly TimeSpan AnswerBound = RequestTimeout + TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData("cut")]
    [InlineData("blackhole")]
    public async Task Produce_and_consume_answer_503_during_an_outage_and_serve_again_after_it(string outage)
    {
        var target = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        await using var proxy = new TcpProxy(target.Host!, target.Port);
        var viaProxy = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString;
        await using var node = await TestNode.StartAsync(s => s with
        {
            Http = s.Http with { RequestTimeout = RequestTimeout },
            Journal = s.Journal with { Kind = JournalKind.Postgres, Postgres = viaProxy, WriteTimeout = TimeSpan.FromSeconds(2) },
        });
        var topic = $"outage-{outage}-" + Guid.NewGuid().ToString("N")[..8];
        await node.Http.CreateTopicAsync(topic, 1);
        var producer = await node.Http.RegisterProducerAsync(topic);
        var consumer = await node.Http.RegisterConsumerAsync(topic);
        var acked = new List<string>();
        await ProduceOkAsync(node.Http, topic, producer, "before", acked);

        if (outage == "cut")
        {
            proxy.Cut();
        }
        else
        {
            proxy.Blackhole();
        }

        for (var i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            var (status, body) = await node.Http.ProduceAsync(topic, producer, $"during-{i}");
            Assert.True(watch.Elapsed < AnswerBound, $"produce took {watch.Elapsed.TotalSeconds:0.0} s during the outage");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("failure", body.GetProperty("status").GetString());
            Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("message").GetString()));
            output.WriteLine($"produce during {outage}: {(int)status} after {watch.Elapsed.TotalMilliseconds:0} ms: {body.GetProperty("message").GetString()}");
        }
        var consumeWatch = Stopwatch.StartNew();
        var (consumeStatus, consumeBody) = await node.Http.ConsumeAsync(topic, consumer);
        output.WriteLine($"consume during {outage}: {(int)consumeStatus} after {consumeWatch.Elapsed.TotalMilliseconds:0} ms: {consumeBody}");
        Assert.True(consumeWatch.Elapsed < AnswerBound, $"consume took {consumeWatch.Elapsed.TotalSeconds:0.0} s during the outage");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, consumeStatus);
        var registerWatch = Stopwatch.StartNew();
        using (var register = await node.Http.PostAsync("producer/register?topic=" + topic + "-new", null))
        {
            Assert.True(registerWatch.Elapsed < AnswerBound, $"register took {registerWatch.Elapsed.TotalSeconds:0.0} s during the outage");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, register.StatusCode);
            output.WriteLine($"register during {outage}: {(int)register.StatusCode} after {registerWatch.Elapsed.TotalMilliseconds:0} ms: {await register.Content.ReadAsStringAsync()}");
        }

        proxy.Restore();

        var restored = Stopwatch.StartNew();
        await Eventually.True(async () => (await node.Http.ProduceAsync(topic, producer, "after")).Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the node produces again after the database is back");
        output.WriteLine($"serving again {restored.Elapsed.TotalMilliseconds:0} ms after the database came back");
        acked.Add("after");
        // Only what was acknowledged is in the log: "before", then "after" (possibly more than
        // once if Eventually's earlier attempts were answered 503 after all, which would be a bug).
        var delivered = await node.Http.DrainAsync(topic, consumer);
        Assert.Equal(acked, delivered.Select(d => d.Message).ToList());
        Assert.Equal([0L, 1L], delivered.Select(d => d.Offset).ToList());
    }

    private static async Task ProduceOkAsync(HttpClient http, string topic, long producer, string message, List<string> acked)
    {
        var (status, body) = await http.ProduceAsync(topic, producer, message);
        Assert.True(status == HttpStatusCode.OK, $"produce answered {(int)status}: {body}");
        acked.Add(message);
    }
}
