using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Queue.Testing;

namespace Queue.Node.Tests.Persistence;

/// <summary>
/// Idempotent produce must hold across the crash it exists for: a producer that never saw the
/// answer to its batch (the node died) retries it against the restarted node and must not get
/// it appended twice.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class IdempotentRestartTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task A_batch_retried_after_kill_9_is_recognised_and_not_appended_twice()
    {
        string[] args = ["--journal", "postgres", "--postgres", database.ConnectionString];
        var topic = "idem-" + Guid.NewGuid().ToString("N")[..8];
        long producer;
        JsonElement original;
        await using (var first = await NodeProcess.StartAsync(args))
        {
            (await first.Http.PostAsJsonAsync("v1/topics", new { name = topic, partitions = 2 })).EnsureSuccessStatusCode();
            var registered = await first.Http.PostAsJsonAsync("v1/producers", new { topic });
            producer = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("producer_id").GetInt64();
            original = await ProduceAsync(first.Http, topic, producer, sequence: 5, HttpStatusCode.OK);
            Assert.False(original.GetProperty("duplicate").GetBoolean());
            await first.KillAsync();
        }

        await using var second = await NodeProcess.StartAsync(args);
        var retried = await ProduceAsync(second.Http, topic, producer, sequence: 5, HttpStatusCode.OK);
        Assert.True(retried.GetProperty("duplicate").GetBoolean());
        Assert.Equal(original.GetProperty("offsets").ToString(), retried.GetProperty("offsets").ToString());
        // An older sequence is refused after the restart too. (Sequence 3 places its key-less batch
        // on the same partition as 5 — (producer + sequence) mod 2 — where the history is.)
        await ProduceAsync(second.Http, topic, producer, sequence: 3, HttpStatusCode.Conflict);

        var total = 0;
        for (var p = 0; p < 2; p++)
        {
            var fetched = await second.Http.GetFromJsonAsync<JsonElement>($"v1/topics/{topic}/partitions/{p}/messages?offset=0&max=100");
            total += fetched.GetProperty("messages").GetArrayLength();
        }
        Assert.Equal(3, total);
    }

    private static async Task<JsonElement> ProduceAsync(HttpClient http, string topic, long producer, long sequence, HttpStatusCode expected)
    {
        var response = await http.PostAsJsonAsync($"v1/topics/{topic}/messages", new
        {
            producer_id = producer,
            sequence,
            messages = new[] { new { value = "a" }, new { value = "b" }, new { value = "c" } },
        });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(expected == response.StatusCode, $"expected {expected}, got {(int)response.StatusCode}: {body}");
        return body;
    }
}
