using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Queue.Core.Configuration;
using Queue.Testing;

namespace Queue.Http.Tests.V1;

/// <summary>
/// Topic retention over HTTP on a real PostgreSQL journal: set on create, shown, changed by PATCH,
/// refused when malformed (and then nothing changes), and what a reader behind the log start gets.
/// </summary>
public sealed class V1RetentionTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync(s => s with
    {
        Journal = s.Journal with { Kind = JournalKind.Postgres, Postgres = database.ConnectionString },
        Retention = s.Retention with { CheckInterval = TimeSpan.FromMilliseconds(100) },
    });

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonNode Body)> PatchAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _node.Http.PatchAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text.Length == 0 ? "{}" : text)!);
    }

    private static long? Limit(JsonNode topic, string field) => topic[field]?.GetValue<long>();

    [Fact]
    public async Task Retention_is_set_on_create_shown_and_changed_by_patch()
    {
        var created = await _node.Http.PostOkAsync("v1/topics", new { name = "kept", partitions = 2, retention_ms = 60_000, retention_messages = 500 });
        Assert.Equal((60_000L, 500L), (Limit(created, "retention_ms"), Limit(created, "retention_messages")));
        var shown = await _node.Http.GetOkAsync("v1/topics/kept");
        Assert.Equal((60_000L, 500L), (Limit(shown, "retention_ms"), Limit(shown, "retention_messages")));

        // A field left out stays; null removes the limit.
        var (status, patched) = await PatchAsync("v1/topics/kept", """{"retention_ms": 3600000}""");
        Assert.True(status == HttpStatusCode.OK, patched.ToJsonString());
        Assert.Equal((3_600_000L, 500L), (Limit(patched, "retention_ms"), Limit(patched, "retention_messages")));
        (status, patched) = await PatchAsync("v1/topics/kept", """{"retention_messages": null}""");
        Assert.True(status == HttpStatusCode.OK, patched.ToJsonString());
        shown = await _node.Http.GetOkAsync("v1/topics/kept");
        Assert.Equal((3_600_000L, (long?)null), (Limit(shown, "retention_ms"), Limit(shown, "retention_messages")));

        // Without retention fields a topic keeps everything (the queue.retention defaults are 0).
        var plain = await _node.Http.PostOkAsync("v1/topics", new { name = "plain" });
        Assert.Null(plain["retention_ms"]);
        Assert.Null(plain["retention_messages"]);
    }

    [Theory]
    [InlineData("""{"name": "bad", "retention_ms": 0}""")]
    [InlineData("""{"name": "bad", "retention_ms": -5}""")]
    [InlineData("""{"name": "bad", "retention_messages": 1.5}""")]
    [InlineData("""{"name": "bad", "retention_messages": "many"}""")]
    [InlineData("""{"name": "bad", "retention_ms": true}""")]
    public async Task Bad_retention_on_create_is_400_and_creates_nothing(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _node.Http.PostAsync("v1/topics", content);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("bad_request", V1Http.ErrorCode(json));
        var (status, _) = await _node.Http.GetJsonAsync("v1/topics/bad");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Theory]
    [InlineData("""{"retention_ms": 0}""", "retention_ms")]
    [InlineData("""{"retention_ms": -1}""", "retention_ms")]
    [InlineData("""{"retention_messages": 2.5}""", "retention_messages")]
    [InlineData("""{"retention_messages": "ten"}""", "retention_messages")]
    [InlineData("""{"retention_ms": 1000, "retention_messages": 0}""", "retention_messages")]
    [InlineData("""{"partitions": 4}""", "partitions")]
    [InlineData("""{}""", "retention_ms")]
    [InlineData("""[1]""", "object")]
    [InlineData("""{"retention_ms": 1000""", "Malformed")]
    public async Task Bad_patch_is_400_with_a_clear_message_and_changes_nothing(string body, string mentioned)
    {
        var topic = "p" + Guid.NewGuid().ToString("N")[..8];
        await _node.Http.PostOkAsync("v1/topics", new { name = topic, retention_ms = 60_000 });
        var (status, error) = await PatchAsync($"v1/topics/{topic}", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("bad_request", V1Http.ErrorCode(error));
        Assert.Contains(mentioned, error["error"]!["message"]!.GetValue<string>());
        var shown = await _node.Http.GetOkAsync($"v1/topics/{topic}");
        Assert.Equal((60_000L, (long?)null), (Limit(shown, "retention_ms"), Limit(shown, "retention_messages")));
    }

    [Fact]
    public async Task Patch_of_an_unknown_topic_is_404()
    {
        var (status, error) = await PatchAsync("v1/topics/nowhere", """{"retention_ms": 1000}""");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("not_found", V1Http.ErrorCode(error));
    }

    [Fact]
    public async Task A_reader_behind_the_log_start_continues_there_and_is_told_how_much_it_skipped()
    {
        await _node.Http.PostOkAsync("v1/topics", new { name = "short" });
        var consumer = await _node.Http.PostOkAsync("v1/consumers", new { topic = "short", from = "earliest" });
        var consumerId = consumer["consumer_id"]!.GetValue<long>();
        await _node.Http.PostOkAsync("v1/topics/short/messages", new { messages = Enumerable.Range(0, 50).Select(i => new { value = $"m{i}" }).ToArray() });

        // The PATCH reaches the running partition at once: no restart needed.
        var (status, patched) = await PatchAsync("v1/topics/short", """{"retention_messages": 10}""");
        Assert.True(status == HttpStatusCode.OK, patched.ToJsonString());
        await Eventually.True(async () =>
            (await _node.Http.GetOkAsync("v1/topics/short"))["partition_states"]![0]!["log_start"]!.GetValue<long>() == 40,
            TimeSpan.FromSeconds(60), "the log start reaches 40");

        var fetched = await _node.Http.GetOkAsync("v1/topics/short/partitions/0/messages?offset=5&max=100");
        Assert.Equal(35, fetched["skipped"]!.GetValue<long>());
        Assert.Equal(40, fetched["log_start"]!.GetValue<long>());
        Assert.Equal(Enumerable.Range(40, 10).Select(i => $"m{i}"), V1Http.Values(fetched));
        var current = await _node.Http.GetOkAsync("v1/topics/short/partitions/0/messages?offset=45&max=100");
        Assert.Equal(0, current["skipped"]!.GetValue<long>());

        // Lag counts from the log start, and the at-most-once consume takes the oldest retained message.
        var positions = await _node.Http.GetOkAsync($"v1/consumers/{consumerId}/positions");
        Assert.Equal((40L, 10L), (positions["positions"]![0]!["position"]!.GetValue<long>(), positions["lag"]!.GetValue<long>()));
        var taken = await _node.Http.PostOkAsync($"v1/consumers/{consumerId}/consume", new { });
        Assert.Equal(["m40"], V1Http.Values(taken));
    }
}
