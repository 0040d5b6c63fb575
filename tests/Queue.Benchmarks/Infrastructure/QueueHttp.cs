using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Queue.Benchmarks.Infrastructure;

/// <summary>The few queue calls scenarios make besides their load: setup through the seed and v1 APIs.</summary>
public static class QueueHttp
{
    /// <summary>Creates a topic through the seed API (always present).</summary>
    public static async Task CreateSeedTopicAsync(HttpClient http, string topic, int partitions, CancellationToken cancellationToken) =>
        await RequireAsync(await http.PostAsJsonAsync("topics", new { topic_name = topic, number_of_partitions = partitions }, cancellationToken), cancellationToken);

    public static async Task<long> RegisterSeedProducerAsync(HttpClient http, string topic, CancellationToken cancellationToken) =>
        (await RequireAsync(await http.PostAsJsonAsync("producer/register", new { topic }, cancellationToken), cancellationToken))
            .GetProperty("producer_id").GetInt64();

    /// <summary>
    /// Registers a consumer (from the earliest offset). A 503 is the queue's "retry later" (a
    /// partition still starting on a busy machine) and is retried a few times, as a client would.
    /// </summary>
    public static async Task<long> RegisterSeedConsumerAsync(HttpClient http, string topic, int? partition, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await http.PostAsJsonAsync("consumer/register", new { topic, partition, from = "earliest" }, cancellationToken);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 5)
            {
                return (await RequireAsync(response, cancellationToken)).GetProperty("consumer_id").GetInt64();
            }
            response.Dispose();
            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
        }
    }

    /// <summary>
    /// Creates a topic through the v1 API (docs/api-v1.md: POST /v1/topics → 201). False when the
    /// node has no v1 API (404): the scenario then reports "not available" instead of a number.
    /// </summary>
    public static async Task<bool> TryCreateV1TopicAsync(HttpClient http, string topic, int partitions, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("v1/topics", new { name = topic, partitions }, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        await RequireAsync(response, cancellationToken);
        return true;
    }

    /// <summary>Sends one v1 message to one partition; true when it was acknowledged.</summary>
    public static async Task<bool> TryProduceToPartitionAsync(HttpClient http, string topic, int partition, string value, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync($"v1/topics/{Uri.EscapeDataString(topic)}/messages",
            new { messages = new[] { new { value, partition } } }, cancellationToken);
        return response.IsSuccessStatusCode;
    }

    /// <summary>Waits until every partition of a v1 topic acknowledges a produce (a cluster places shards on first use).</summary>
    public static Task WaitUntilEveryPartitionServesAsync(HttpClient http, string topic, int partitions, CancellationToken cancellationToken) =>
        Queue.Testing.Eventually.True(async () =>
        {
            foreach (var p in Enumerable.Range(0, partitions))
            {
                if (!await TryProduceToPartitionAsync(http, topic, p, Payloads.Message(p), cancellationToken))
                {
                    return false;
                }
            }
            return true;
        }, TimeSpan.FromSeconds(60), $"every partition of '{topic}' accepts a produce");

    /// <summary>Sum of the high-water marks of a v1 topic's partitions: how many messages it holds.</summary>
    public static async Task<long> V1TopicMessagesAsync(HttpClient http, string topic, CancellationToken cancellationToken)
    {
        var body = await RequireAsync(await http.GetAsync($"v1/topics/{Uri.EscapeDataString(topic)}", cancellationToken), cancellationToken);
        return body.GetProperty("partition_states").EnumerateArray().Sum(p => p.GetProperty("high_watermark").GetInt64() - p.GetProperty("log_start").GetInt64());
    }

    /// <summary>Throws with the status and body unless the response is a success; returns the JSON body.</summary>
    public static async Task<JsonElement> RequireAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"{(int)response.StatusCode} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: {text}", null, response.StatusCode);
            }
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
    }
}
