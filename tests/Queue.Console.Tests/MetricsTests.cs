using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Queue.Testing;

namespace Queue.Console.Tests;

/// <summary>
/// <c>GET /metrics</c> on the collection's real node: the akkaqueue.* instruments appear in
/// Prometheus text format with the values the requests made. Scrapes are polled (the exporter
/// caches a scrape briefly, and gauges follow commits), never timed.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class MetricsTests(ConsoleNodeFixture fixture)
{
    [Fact]
    public async Task Produce_consume_and_lag_show_in_the_prometheus_scrape()
    {
        (await fixture.Node.Http.PostAsJsonAsync("v1/topics", new { name = "metered", partitions = 2 })).EnsureSuccessStatusCode();
        var consumer = await (await fixture.Node.Http.PostAsJsonAsync("v1/consumers", new { topic = "metered", from = "earliest" })).Content.ReadFromJsonAsync<JsonElement>();
        var consumerId = consumer.GetProperty("consumer_id").GetInt64();
        var messages = Enumerable.Range(0, 9).Select(i => new { value = $"m{i}", partition = i % 2 }).ToArray();
        (await fixture.Node.Http.PostAsJsonAsync("v1/topics/metered/messages", new { messages })).EnsureSuccessStatusCode();
        (await fixture.Node.Http.PostAsJsonAsync($"v1/consumers/{consumerId}/commit", new { partition = 0, offset = 2 })).EnsureSuccessStatusCode();
        (await fixture.Node.Http.GetAsync("v1/topics/metered/partitions/1/messages?offset=0&max=3")).EnsureSuccessStatusCode();

        await Eventually.True(async () =>
        {
            var scrape = await fixture.Node.Http.GetStringAsync("metrics");
            return Value(scrape, "akkaqueue_messages_produced_total", "topic=\"metered\"") == 9
                && Value(scrape, "akkaqueue_messages_consumed_total", "topic=\"metered\"") == 3
                && Value(scrape, "akkaqueue_produce_duration_seconds_count", "topic=\"metered\"") == 1
                // 5 in partition 0 with the position at 2, 4 in partition 1 at 0.
                && Value(scrape, "akkaqueue_consumer_lag", $"consumer=\"{consumerId}\",topic=\"metered\"") == 7
                && Value(scrape, "akkaqueue_cluster_members", "status=\"up\"") == 1
                && Value(scrape, "akkaqueue_partitions_hosted", "") >= 2
                && Value(scrape, "akkaqueue_journal_write_batch_size_sum", "") >= 9;
        }, TimeSpan.FromSeconds(30), "the scrape shows 9 produced, 3 consumed, lag 7, one up member and the hosted partitions");
    }

    /// <summary>The value of the series named <paramref name="name"/> whose labels include <paramref name="labels"/>; null when absent.</summary>
    private static double? Value(string scrape, string name, string labels)
    {
        foreach (Match m in Regex.Matches(scrape, $@"^{Regex.Escape(name)}\{{([^}}]*)\}} (\S+)", RegexOptions.Multiline))
        {
            if (m.Groups[1].Value.Contains(labels, StringComparison.Ordinal))
            {
                return double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            }
        }
        return null;
    }
}
