using System.Net;
using Queue.Testing;

namespace Queue.Http.Tests.V1;

public sealed class V1FetchTests : IAsyncLifetime
{
    private TestNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync();
        await _node.Http.PostOkAsync("v1/topics", new { name = "f", partitions = 2 });
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Fetch_reads_by_offset_and_max_without_consuming()
    {
        await ProduceAsync(0, "m0", "m1", "m2", "m3");

        var page = await _node.Http.GetOkAsync("v1/topics/f/partitions/0/messages?offset=1&max=2");
        Assert.Equal(["m1", "m2"], V1Http.Values(page));
        Assert.Equal([1L, 2L], page["messages"]!.AsArray().Select(m => m!["offset"]!.GetValue<long>()));
        Assert.Equal(4, page["high_watermark"]!.GetValue<long>());

        var again = await _node.Http.GetOkAsync("v1/topics/f/partitions/0/messages?offset=1&max=2");
        Assert.Equal(["m1", "m2"], V1Http.Values(again));
    }

    [Fact]
    public async Task A_long_poll_returns_once_a_message_is_committed()
    {
        // The wait is far longer than the test needs: completing at all proves the wake-up.
        var poll = _node.Http.GetOkAsync("v1/topics/f/partitions/1/messages?offset=0&wait_ms=25000");
        await Eventually.True(async () => (await _node.ActivePartitionsAsync()).Any(p => p.Topic == "f" && p.Partition == 1), TimeSpan.FromSeconds(30),
            "the poll reached partition 1");
        await ProduceAsync(1, "wake-up");

        var page = await poll;
        Assert.Equal(["wake-up"], V1Http.Values(page));
    }

    [Fact]
    public async Task A_long_poll_with_nothing_new_answers_empty_after_the_wait()
    {
        await ProduceAsync(0, "old");
        var page = await _node.Http.GetOkAsync("v1/topics/f/partitions/0/messages?offset=1&wait_ms=50");
        Assert.Empty(page["messages"]!.AsArray());
        Assert.Equal(1, page["high_watermark"]!.GetValue<long>());
    }

    [Fact]
    public async Task Timed_out_polls_do_not_stop_later_ones_from_waking()
    {
        for (var i = 0; i < 5; i++)
        {
            var empty = await _node.Http.GetOkAsync("v1/topics/f/partitions/0/messages?offset=0&wait_ms=20");
            Assert.Empty(empty["messages"]!.AsArray());
        }
        var poll = _node.Http.GetOkAsync("v1/topics/f/partitions/0/messages?offset=0&wait_ms=25000");
        await ProduceAsync(0, "after timeouts");
        Assert.Equal(["after timeouts"], V1Http.Values(await poll));
    }

    [Fact]
    public async Task A_waiting_long_poll_is_answered_503_when_the_node_stops()
    {
        // Its own node (stopped here, not by the fixture) and its own client (a node disposes
        // its client at the start of its shutdown).
        var node = await TestNode.StartAsync();
        await node.Http.PostOkAsync("v1/topics", new { name = "s" });
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        var poll = http.GetJsonAsync("v1/topics/s/partitions/0/messages?offset=0&wait_ms=25000");
        await Eventually.True(async () => (await node.ActivePartitionsAsync()).Any(p => p.Topic == "s"), TimeSpan.FromSeconds(30), "the poll reached the partition");

        var stopping = node.DisposeAsync().AsTask();
        var (status, body) = await poll;
        await stopping;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("unavailable", V1Http.ErrorCode(body));
    }

    [Theory]
    [InlineData("v1/topics/f/partitions/0/messages?offset=-1", HttpStatusCode.BadRequest)]
    [InlineData("v1/topics/f/partitions/0/messages?max=0", HttpStatusCode.BadRequest)]
    [InlineData("v1/topics/f/partitions/0/messages?max=abc", HttpStatusCode.BadRequest)]
    [InlineData("v1/topics/f/partitions/0/messages?wait_ms=999999999", HttpStatusCode.BadRequest)]
    [InlineData("v1/topics/f/partitions/2/messages", HttpStatusCode.NotFound)]
    public async Task Bad_fetches_get_clear_errors(string path, HttpStatusCode expected)
    {
        var (status, body) = await _node.Http.GetJsonAsync(path);
        Assert.Equal(expected, status);
        V1Http.ErrorCode(body);
    }

    private Task ProduceAsync(int partition, params string[] values) =>
        _node.Http.PostOkAsync("v1/topics/f/messages", new { messages = values.Select(v => new { value = v, partition }).ToArray() });
}
