using System.Net;
using System.Text.Json.Nodes;
using Queue.Testing;

namespace Queue.Http.Tests;

/// <summary>GET /topics, POST /topics and GET /topics/partition: success and every refusal.</summary>
public sealed class TopicEndpointsTests
{
    private static Task<TestNode> StartAsync() => TestNode.StartAsync(s => s with
    {
        Limits = s.Limits with { MaxTopicNameLength = 10, MaxPartitionsPerTopic = 8 },
    });

    [Fact]
    public async Task A_new_node_has_no_topics()
    {
        await using var node = await StartAsync();
        var reply = (await new SeedClient(node.Http).GetAsync("/topics")).AssertSuccess();
        Assert.Empty(reply.Body.GetProperty("topics").EnumerateArray());
    }

    [Fact]
    public async Task Created_topics_are_listed()
    {
        await using var node = await StartAsync();
        var api = new SeedClient(node.Http);

        await api.CreateTopicAsync("T1");
        await api.CreateTopicAsync("logs.app");
        await api.CreateTopicAsync("A_2");

        Assert.Equal(["A_2", "T1", "logs.app"], (await api.TopicsAsync()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_topic_created_without_a_count_has_the_default_partitions()
    {
        await using var node = await TestNode.StartAsync(s => s with { Limits = s.Limits with { DefaultPartitions = 2 } });
        var api = new SeedClient(node.Http);

        await api.CreateTopicAsync("T1");

        Assert.Equal([0, 1], await api.PartitionsAsync("T1"));
    }

    [Theory]
    [InlineData("number_of_partitions", 3)]
    [InlineData("partitions", 5)]
    [InlineData("number_of_partitions", 1)]
    [InlineData("number_of_partitions", 8)]
    public async Task A_topic_gets_the_partition_count_it_asks_for(string field, int count)
    {
        await using var node = await StartAsync();
        var api = new SeedClient(node.Http);

        var reply = (await api.PostJsonAsync("/topics", new Dictionary<string, object> { ["topic_name"] = "T1", [field] = count })).AssertSuccess();

        Assert.Equal("Topic 'T1' created successfully", reply.String("message"));
        Assert.Equal(Enumerable.Range(0, count), await api.PartitionsAsync("T1"));
    }

    [Fact]
    public async Task Creating_an_existing_topic_fails_and_keeps_the_original()
    {
        await using var node = await StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 2);

        (await api.PostJsonAsync("/topics", new { topic_name = "T1", number_of_partitions = 4 })).AssertBadRequest("'T1'", "already exists");

        Assert.Equal(["T1"], await api.TopicsAsync());
        Assert.Equal([0, 1], await api.PartitionsAsync("T1"));
    }

    public static TheoryData<string, string[]> BadCreations => new()
    {
        { """{}""", ["missing", "topic_name"] },
        { """{"topic_name":""}""", ["missing", "topic_name"] },
        { """{"number_of_partitions":2}""", ["missing", "topic_name"] },
        { """{"topic_name":"my topic"}""", ["my topic", "contains ' '"] },
        { """{"topic_name":"a/b"}""", ["contains '/'"] },
        { """{"topic_name":"caf\u00e9"}""", ["contains 'é' (U+00E9)"] },
        // Whole code points, as sent: not a UTF-16 half, not a replacement character.
        { """{"topic_name":"smile\ud83d\ude00"}""", ["contains '\U0001F600' (U+1F600)"] },
        { "{\"topic_name\":\"a\U0001D11Eb\"}", ["contains '\U0001D11E' (U+1D11E)"] },
        { """{"topic_name":"zero\u200bwidth"}""", ["(U+200B)"] },
        { """{"topic_name":".."}""", ["'..'", "not allowed"] },
        { """{"topic_name":"T1","number_of_partitions":0}""", ["number of partitions 0", "between 1 and 8"] },
        { """{"topic_name":"T1","number_of_partitions":-2}""", ["number of partitions -2", "between 1 and 8"] },
        { """{"topic_name":"T1","number_of_partitions":9}""", ["number of partitions 9", "between 1 and 8"] },
        { """{"topic_name":"T1","partitions":100000}""", ["number of partitions 100000"] },
        { """{"topic_name":"T1","number_of_partitions":"abc"}""", ["number_of_partitions", "integer", "abc"] },
        { """{"topic_name":"T1","number_of_partitions":2.5}""", ["number_of_partitions", "integer", "2.5"] },
        { """{"topic_name":"T1","number_of_partitions":99999999999}""", ["number_of_partitions", "integer"] },
        { """{"topic_name":"T1","number_of_partitions":[2]}""", ["'number_of_partitions' must be an integer, got array"] },
        { """{"topic_name":{"name":"T1"}}""", ["'topic_name' must be a string, got object"] },
        { """{"topic_name":false}""", ["'topic_name' must be a string, got boolean"] },
        { """{"topic_name":["T1"]}""", ["'topic_name' must be a string, got array"] },
        { """{"topic":true}""", ["'topic' must be a string, got boolean"] },
        { """{"topic_name":"T1","partitions":true}""", ["'partitions' must be an integer, got boolean"] },
    };

    [Theory]
    [MemberData(nameof(BadCreations))]
    public async Task A_bad_creation_fails_clearly_and_creates_nothing(string body, string[] fragments)
    {
        await using var node = await StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("existing");

        (await api.PostRawAsync("/topics", body)).AssertBadRequest(fragments);

        Assert.Equal(["existing"], await api.TopicsAsync());
    }

    [Fact]
    public async Task A_name_at_the_length_limit_is_accepted()
    {
        await using var node = await StartAsync();
        var api = new SeedClient(node.Http);

        await api.CreateTopicAsync("tenchars10");

        Assert.Equal(["tenchars10"], await api.TopicsAsync());
    }

    [Fact]
    public async Task A_name_over_the_length_limit_is_413_as_on_v1()
    {
        await using var node = await StartAsync();
        var api = new SeedClient(node.Http);

        (await api.PostRawAsync("/topics", """{"topic_name":"elevenchars"}""")).AssertFailure(HttpStatusCode.RequestEntityTooLarge, "11 characters", "limit is 10");
        (await api.GetAsync("/topics/partition?topic_name=elevenchars")).AssertFailure(HttpStatusCode.RequestEntityTooLarge, "limit is 10");

        Assert.Empty(await api.TopicsAsync());
    }

    [Fact]
    public async Task A_refused_character_is_named_as_the_code_point_sent_from_any_source()
    {
        await using var node = await StartAsync();
        var api = new SeedClient(node.Http);

        var query = await api.GetAsync("/topics/partition?topic_name=a%F0%9F%98%80");
        var form = await api.PostFormAsync("/topics", ("topic_name", "b\U0001F600"));
        using var v1 = await node.Http.GetAsync("/v1/topics/c%F0%9F%98%80");
        var v1Body = JsonNode.Parse(await v1.Content.ReadAsStringAsync())!;

        query.AssertBadRequest("'a\U0001F600' contains '\U0001F600' (U+1F600)");
        form.AssertBadRequest("contains '\U0001F600' (U+1F600)");
        Assert.Equal(HttpStatusCode.BadRequest, v1.StatusCode);
        Assert.Contains("contains '\U0001F600' (U+1F600)", v1Body["error"]!["message"]!.GetValue<string>());
        Assert.Empty(await api.TopicsAsync());
    }

    [Fact]
    public async Task Partitions_of_an_unknown_topic_fail()
    {
        await using var node = await StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1");

        (await api.GetAsync("/topics/partition?topic_name=T2")).AssertBadRequest("'T2'", "does not exist");
        (await api.GetAsync("/topics/partition")).AssertBadRequest("missing", "topic_name");
        (await api.GetAsync("/topics/partition?topic_name=bad%20name")).AssertBadRequest("contains ' '");

        Assert.Equal(["T1"], await api.TopicsAsync());
    }
}
