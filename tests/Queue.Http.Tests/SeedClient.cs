using System.Net;
using System.Text;
using System.Text.Json;

namespace Queue.Http.Tests;

/// <summary>
/// Speaks the seed API over a node's real HTTP port. The low-level calls return whatever the node
/// answered; the high-level ones (<see cref="CreateTopicAsync"/> and friends) assert success and
/// return the interesting fields, so a test reads as the scenario it checks.
/// </summary>
public sealed class SeedClient(HttpClient http)
{
    public HttpClient Http => http;

    public async Task<SeedReply> SendAsync(HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await http.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        JsonElement body;
        try
        {
            using var document = JsonDocument.Parse(raw);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            body = default;
        }
        return new SeedReply(response.StatusCode, body, raw);
    }

    public Task<SeedReply> GetAsync(string pathAndQuery) => SendAsync(HttpMethod.Get, pathAndQuery);

    /// <summary>A GET with a JSON body, as some of the seeds' clients send it.</summary>
    public Task<SeedReply> GetWithJsonAsync(string path, object body) => SendAsync(HttpMethod.Get, path, Json(body));

    public Task<SeedReply> PostJsonAsync(string path, object body) => SendAsync(HttpMethod.Post, path, Json(body));

    public Task<SeedReply> PostRawAsync(string path, string body, string mediaType = "application/json") =>
        SendAsync(HttpMethod.Post, path, new StringContent(body, Encoding.UTF8, mediaType));

    public Task<SeedReply> PostFormAsync(string path, params (string Key, string Value)[] fields) =>
        SendAsync(HttpMethod.Post, path, new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Key, f.Value))));

    public static StringContent Json(object body) =>
        new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    public static string Query(string path, params (string Key, object? Value)[] fields) =>
        path + "?" + string.Join("&", fields.Where(f => f.Value is not null)
            .Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(Convert.ToString(f.Value, System.Globalization.CultureInfo.InvariantCulture)!)}"));

    public async Task<IReadOnlyList<string>> TopicsAsync()
    {
        var reply = (await GetAsync("/topics")).AssertSuccess();
        return reply.Body.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!).ToList();
    }

    public async Task<IReadOnlyList<int>> PartitionsAsync(string topic)
    {
        var reply = (await GetAsync(Query("/topics/partition", ("topic_name", topic)))).AssertSuccess();
        return reply.Body.GetProperty("partitions").EnumerateArray().Select(p => p.GetInt32()).ToList();
    }

    public async Task CreateTopicAsync(string topic, int? partitions = null)
    {
        var body = new Dictionary<string, object?> { ["topic_name"] = topic };
        if (partitions is { } n)
        {
            body["number_of_partitions"] = n;
        }
        var reply = (await PostJsonAsync("/topics", body)).AssertSuccess();
        Assert.Equal($"Topic '{topic}' created successfully", reply.String("message"));
    }

    public async Task<long> RegisterProducerAsync(string topic, int? partition = null)
    {
        var body = new Dictionary<string, object?> { ["topic"] = topic, ["partition"] = partition };
        return (await PostJsonAsync("/producer/register", body)).AssertSuccess().Long("producer_id");
    }

    public async Task<long> RegisterConsumerAsync(string topic, int? partition = null, string? from = null)
    {
        var body = new Dictionary<string, object?> { ["topic"] = topic, ["partition"] = partition, ["from"] = from };
        return (await PostJsonAsync("/consumer/register", body)).AssertSuccess().Long("consumer_id");
    }

    public Task<SeedReply> TryProduceAsync(string topic, long producerId, string message, int? partition = null, string? key = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["topic"] = topic,
            ["producer_id"] = producerId,
            ["message"] = message,
            ["partition"] = partition,
            ["key"] = key,
        };
        return PostJsonAsync("/producer/produce", body);
    }

    public async Task<(int Partition, long Offset)> ProduceAsync(string topic, long producerId, string message, int? partition = null, string? key = null)
    {
        var reply = (await TryProduceAsync(topic, producerId, message, partition, key)).AssertSuccess();
        return (reply.Int("partition"), reply.Long("offset"));
    }

    public Task<SeedReply> TryConsumeAsync(string topic, long consumerId, int? partition = null) =>
        GetAsync(Query("/consumer/consume", ("topic", topic), ("consumer_id", consumerId), ("partition", partition)));

    public async Task<(string Message, int Partition, long Offset)> ConsumeAsync(string topic, long consumerId, int? partition = null)
    {
        var reply = (await TryConsumeAsync(topic, consumerId, partition)).AssertSuccess();
        return (reply.String("message")!, reply.Int("partition"), reply.Long("offset"));
    }

    /// <summary>Asserts the consumer has nothing left: the seeds answer that with a 400.</summary>
    public async Task AssertNothingToConsumeAsync(string topic, long consumerId, int? partition = null)
    {
        (await TryConsumeAsync(topic, consumerId, partition)).AssertBadRequest("no more messages", topic);
    }

    public Task<SeedReply> TrySizeAsync(string topic, long consumerId, int? partition = null) =>
        GetAsync(Query("/size", ("topic", topic), ("consumer_id", consumerId), ("partition", partition)));

    public async Task<long> SizeAsync(string topic, long consumerId, int? partition = null) =>
        (await TrySizeAsync(topic, consumerId, partition)).AssertSuccess().Long("size");
}
