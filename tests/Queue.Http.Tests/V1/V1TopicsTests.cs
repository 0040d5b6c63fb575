using System.Net;
using Queue.Testing;

namespace Queue.Http.Tests.V1;

public sealed class V1TopicsTests : IAsyncLifetime
{
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync(s => s with { Limits = s.Limits with { MaxTopicNameLength = 20 } });

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Create_answers_201_then_409_for_the_same_name()
    {
        var (created, body) = await _node.Http.PostAsync("v1/topics", new { name = "orders", partitions = 3 });
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal(3, body["partitions"]!.GetValue<int>());

        var (again, error) = await _node.Http.PostAsync("v1/topics", new { name = "orders", partitions = 1 });
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal("conflict", V1Http.ErrorCode(error));
    }

    [Fact]
    public async Task List_and_describe_show_partitions_and_high_water_marks()
    {
        await _node.Http.PostOkAsync("v1/topics", new { name = "a", partitions = 2 });
        await _node.Http.PostOkAsync("v1/topics/a/messages", new { messages = new[] { new { value = "x", partition = 1 } } });

        var list = await _node.Http.GetOkAsync("v1/topics");
        Assert.Contains(list["topics"]!.AsArray(), t => t!["name"]!.GetValue<string>() == "a" && t["partitions"]!.GetValue<int>() == 2);

        var detail = await _node.Http.GetOkAsync("v1/topics/a");
        var states = detail["partition_states"]!.AsArray();
        Assert.Equal([0L, 1L], states.Select(s => s!["high_watermark"]!.GetValue<long>()));
    }

    [Theory]
    [InlineData("v1/topics/missing", HttpStatusCode.NotFound, "not_found")]
    [InlineData("v1/topics/missing/partitions/0/messages", HttpStatusCode.NotFound, "not_found")]
    [InlineData("v1/no-such-endpoint", HttpStatusCode.NotFound, "not_found")]
    public async Task Unknown_things_answer_404_in_the_v1_shape(string path, HttpStatusCode status, string code)
    {
        var (actual, body) = await _node.Http.GetJsonAsync(path);
        Assert.Equal(status, actual);
        Assert.Equal(code, V1Http.ErrorCode(body));
    }

    [Theory]
    [InlineData("bad name", 1, HttpStatusCode.BadRequest)]
    [InlineData("ok", 0, HttpStatusCode.BadRequest)]
    [InlineData("a-name-much-longer-than-twenty", 1, HttpStatusCode.RequestEntityTooLarge)]
    public async Task Invalid_topics_are_refused_and_not_created(string name, int partitions, HttpStatusCode status)
    {
        var (actual, body) = await _node.Http.PostAsync("v1/topics", new { name, partitions });
        Assert.Equal(status, actual);
        V1Http.ErrorCode(body);
        var list = await _node.Http.GetOkAsync("v1/topics");
        Assert.DoesNotContain(list["topics"]!.AsArray(), t => t!["name"]!.GetValue<string>() == name);
    }

    [Fact]
    public async Task Malformed_or_missing_bodies_answer_400()
    {
        using var malformed = await _node.Http.PostAsync("v1/topics", new StringContent("{\"name\":"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        using var missing = await _node.Http.PostAsync("v1/topics", null);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("JSON body", await missing.Content.ReadAsStringAsync());
    }
}
