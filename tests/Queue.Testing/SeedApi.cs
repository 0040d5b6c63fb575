using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Queue.Testing;

/// <summary>The seed API as process-based tests use it: plain HTTP calls, answers as JSON.</summary>
public static class SeedApi
{
    public static async Task CreateTopicAsync(this HttpClient http, string topic, int partitions) =>
        await RequireAsync(await http.PostAsJsonAsync("topics", new { topic_name = topic, number_of_partitions = partitions }));

    public static async Task<List<string>> ListTopicsAsync(this HttpClient http) =>
        (await RequireAsync(await http.GetAsync("topics"))).GetProperty("topics").EnumerateArray().Select(t => t.GetString()!).ToList();

    public static async Task<List<int>> ListPartitionsAsync(this HttpClient http, string topic) =>
        (await RequireAsync(await http.GetAsync($"topics/partition?topic={Uri.EscapeDataString(topic)}"))).GetProperty("partitions").EnumerateArray().Select(p => p.GetInt32()).ToList();

    public static async Task<long> RegisterProducerAsync(this HttpClient http, string topic, int? partition = null) =>
        (await RequireAsync(await http.PostAsJsonAsync("producer/register", new { topic, partition }))).GetProperty("producer_id").GetInt64();

    public static async Task<long> RegisterConsumerAsync(this HttpClient http, string topic, string from = "earliest", int? partition = null) =>
        (await RequireAsync(await http.PostAsJsonAsync("consumer/register", new { topic, partition, from }))).GetProperty("consumer_id").GetInt64();

    /// <summary>Produces one message; the status code and body, whatever they are.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> ProduceAsync(this HttpClient http, string topic, long producerId, string message, int? partition = null)
    {
        using var response = await http.PostAsJsonAsync("producer/produce", new { topic, producer_id = producerId, message, partition });
        return (response.StatusCode, await BodyAsync(response));
    }

    /// <summary>Consumes one message; the status code and body, whatever they are.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> ConsumeAsync(this HttpClient http, string topic, long consumerId, int? partition = null)
    {
        var query = $"consumer/consume?topic={Uri.EscapeDataString(topic)}&consumer_id={consumerId}" + (partition is { } p ? $"&partition={p}" : "");
        using var response = await http.GetAsync(query);
        return (response.StatusCode, await BodyAsync(response));
    }

    public static async Task<long> SizeAsync(this HttpClient http, string topic, long consumerId, int? partition = null)
    {
        var query = $"size?topic={Uri.EscapeDataString(topic)}&consumer_id={consumerId}" + (partition is { } p ? $"&partition={p}" : "");
        return (await RequireAsync(await http.GetAsync(query))).GetProperty("size").GetInt64();
    }

    /// <summary>Consumes until the API says nothing is left; returns (partition, offset, message) in delivery order.</summary>
    public static async Task<List<(int Partition, long Offset, string Message)>> DrainAsync(this HttpClient http, string topic, long consumerId, int? partition = null)
    {
        var delivered = new List<(int, long, string)>();
        while (true)
        {
            var (status, body) = await http.ConsumeAsync(topic, consumerId, partition);
            if (status == HttpStatusCode.BadRequest && body.GetProperty("message").GetString()!.StartsWith("No more messages", StringComparison.Ordinal))
            {
                return delivered;
            }
            if (status != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"consume answered {(int)status}: {body}");
            }
            delivered.Add((body.GetProperty("partition").GetInt32(), body.GetProperty("offset").GetInt64(), body.GetProperty("message").GetString()!));
        }
    }

    /// <summary>
    /// Retries <paramref name="call"/> while the cluster answers 503 or cannot be reached (a node
    /// or a partition is moving), up to <paramref name="timeout"/>; any other failure is final.
    /// Only for calls that are safe to repeat (reads, registrations whose ids the test ignores).
    /// </summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> call, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (IsRetryable(ex) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    private static bool IsRetryable(Exception ex) =>
        ex is HttpRequestException or TaskCanceledException
        || (ex is InvalidOperationException && ex.Message.Contains(" answered 503", StringComparison.Ordinal));

    private static async Task<JsonElement> RequireAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await BodyAsync(response);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {body}");
            }
            return body;
        }
    }

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonDocument.Parse(JsonSerializer.Serialize(new { raw = text })).RootElement.Clone();
        }
    }
}
