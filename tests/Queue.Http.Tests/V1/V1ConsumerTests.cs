using System.Net;
using System.Text.Json.Nodes;
using Queue.Testing;

namespace Queue.Http.Tests.V1;

public sealed class V1ConsumerTests : IAsyncLifetime
{
    private TestNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync();
        await _node.Http.PostOkAsync("v1/topics", new { name = "c", partitions = 2 });
        await _node.Http.PostOkAsync("v1/topics/c/messages", new
        {
            messages = new[] { new { value = "a0", partition = 0 }, new { value = "a1", partition = 0 }, new { value = "b0", partition = 1 } },
        });
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Fetch_process_commit_is_at_least_once()
    {
        var id = await RegisterAsync("earliest");

        var first = await _node.Http.GetOkAsync($"v1/consumers/{id}/messages?max=10");
        Assert.Equal(["a0", "a1", "b0"], V1Http.Values(first));
        // Fetching does not move the position: without a commit the same messages come again.
        Assert.Equal(["a0", "a1", "b0"], V1Http.Values(await _node.Http.GetOkAsync($"v1/consumers/{id}/messages?max=10")));

        var committed = await _node.Http.PostOkAsync($"v1/consumers/{id}/commit", new { offsets = new[] { new { partition = 0, offset = 2 }, new { partition = 1, offset = 0 } } });
        Assert.Equal(1, committed["lag"]!.GetValue<long>());

        Assert.Equal(["b0"], V1Http.Values(await _node.Http.GetOkAsync($"v1/consumers/{id}/messages?max=10")));
        var positions = await _node.Http.GetOkAsync($"v1/consumers/{id}/positions");
        Assert.Equal([2L, 0L], Positions(positions));
        Assert.Equal(1, positions["lag"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_consumer_long_poll_wakes_on_any_of_its_partitions()
    {
        var id = await RegisterAsync("latest");
        var poll = _node.Http.GetOkAsync($"v1/consumers/{id}/messages?wait_ms=25000");
        await _node.Http.PostOkAsync("v1/topics/c/messages", new { messages = new[] { new { value = "new", partition = 1 } } });
        Assert.Equal(["new"], V1Http.Values(await poll));
    }

    [Fact]
    public async Task Commits_outside_the_log_are_conflicts_and_change_nothing()
    {
        var id = await RegisterAsync("earliest");
        var (status, body) = await _node.Http.PostAsync($"v1/consumers/{id}/commit", new { partition = 0, offset = 3 });
        Assert.Equal(HttpStatusCode.Conflict, status);
        V1Http.ErrorCode(body);

        // A multi-partition topic needs the partition named.
        var (ambiguous, error) = await _node.Http.PostAsync($"v1/consumers/{id}/commit", new { offset = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, ambiguous);
        V1Http.ErrorCode(error);

        Assert.Equal([0L, 0L], Positions(await _node.Http.GetOkAsync($"v1/consumers/{id}/positions")));
    }

    [Fact]
    public async Task Consume_moves_the_position_at_once_like_the_seed_api()
    {
        var id = await RegisterAsync("earliest");
        var taken = await _node.Http.PostOkAsync($"v1/consumers/{id}/consume?max=2", new { });
        Assert.Equal(2, taken["messages"]!.AsArray().Count);
        var rest = await _node.Http.PostOkAsync($"v1/consumers/{id}/consume?max=10", new { });
        Assert.Single(rest["messages"]!.AsArray());
        Assert.Empty((await _node.Http.PostOkAsync($"v1/consumers/{id}/consume", new { }))["messages"]!.AsArray());
        Assert.Equal(0, (await _node.Http.GetOkAsync($"v1/consumers/{id}/positions"))["lag"]!.GetValue<long>());
    }

    [Fact]
    public async Task Latest_starts_at_the_end_and_earliest_at_the_start()
    {
        var latest = await RegisterAsync("latest");
        var byDefault = await RegisterAsync(null);
        Assert.Equal([2L, 1L], Positions(await _node.Http.GetOkAsync($"v1/consumers/{latest}/positions")));
        Assert.Equal([2L, 1L], Positions(await _node.Http.GetOkAsync($"v1/consumers/{byDefault}/positions")));
        Assert.Equal([0L, 0L], Positions(await _node.Http.GetOkAsync($"v1/consumers/{await RegisterAsync("earliest")}/positions")));
    }

    [Fact]
    public async Task Unknown_consumers_and_topics_answer_404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _node.Http.GetJsonAsync("v1/consumers/4242/positions")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _node.Http.PostAsync("v1/consumers/4242/commit", new { partition = 0, offset = 0 })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _node.Http.PostAsync("v1/consumers", new { topic = "nope" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await _node.Http.PostAsync("v1/consumers", new { topic = "c", from = "yesterday" })).Status);
    }

    private async Task<long> RegisterAsync(string? from)
    {
        var reply = await _node.Http.PostOkAsync("v1/consumers", from is null ? new { topic = "c" } : new { topic = "c", from });
        return reply["consumer_id"]!.GetValue<long>();
    }

    private static List<long> Positions(JsonNode reply) =>
        reply["positions"]!.AsArray().OrderBy(p => p!["partition"]!.GetValue<int>()).Select(p => p!["position"]!.GetValue<long>()).ToList();
}
