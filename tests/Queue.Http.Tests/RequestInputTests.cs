using System.Net;
using System.Text;
using Queue.Testing;

namespace Queue.Http.Tests;

/// <summary>
/// The seed API's input leniency (design.md §5): JSON body, form body or query string, a JSON body
/// on GET, the seeds' field spellings, ids as numbers or numeric strings; and what unreadable
/// input gets.
/// </summary>
public sealed class RequestInputTests
{
    [Theory]
    [InlineData("topic_name")]
    [InlineData("name")]
    [InlineData("topic")]
    public async Task Every_topic_spelling_is_understood(string field)
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);

        (await api.PostJsonAsync("/topics", new Dictionary<string, object> { [field] = "T1", ["partitions"] = 2 })).AssertSuccess();
        var partitions = (await api.GetAsync($"/topics/partition?{field}=T1")).AssertSuccess();
        var producer = (await api.PostJsonAsync("/producer/register", new Dictionary<string, object> { [field] = "T1" })).AssertSuccess();
        var consumer = (await api.PostJsonAsync("/consumer/register", new Dictionary<string, object> { [field] = "T1" })).AssertSuccess();
        var produced = (await api.PostJsonAsync("/producer/produce", new Dictionary<string, object>
        {
            [field] = "T1",
            ["producer_id"] = producer.Long("producer_id"),
            ["message"] = "hello",
            ["partition"] = 1,
        })).AssertSuccess();
        var consumerId = consumer.Long("consumer_id");
        var size = (await api.GetAsync($"/size?{field}=T1&consumer_id={consumerId}")).AssertSuccess();
        var consumed = (await api.GetAsync($"/consumer/consume?{field}=T1&consumer_id={consumerId}")).AssertSuccess();

        Assert.Equal(["T1"], await api.TopicsAsync());
        Assert.Equal(2, partitions.Body.GetProperty("partitions").GetArrayLength());
        Assert.Equal(1, produced.Int("partition"));
        Assert.Equal(1, size.Long("size"));
        Assert.Equal("hello", consumed.String("message"));
    }

    [Theory]
    [InlineData("partition")]
    [InlineData("partition_id")]
    [InlineData("partition_index")]
    [InlineData("part")]
    [InlineData("partition_number")]
    [InlineData("Partition_Number")]
    public async Task Every_partition_spelling_is_understood(string field)
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 3);

        var producer = (await api.PostJsonAsync("/producer/register", new Dictionary<string, object> { ["topic"] = "T1", [field] = 2 })).AssertSuccess();
        var consumer = (await api.PostJsonAsync("/consumer/register", new Dictionary<string, object> { ["topic"] = "T1", [field] = 2 })).AssertSuccess();
        var free = await api.RegisterProducerAsync("T1");
        var produced = (await api.PostJsonAsync("/producer/produce", new Dictionary<string, object>
        {
            ["topic"] = "T1",
            ["producer_id"] = free,
            ["message"] = "m",
            [field] = 2,
        })).AssertSuccess();
        var consumerId = consumer.Long("consumer_id");
        var size = (await api.GetAsync($"/size?topic=T1&consumer_id={consumerId}&{field}=2")).AssertSuccess();
        var consumed = (await api.GetAsync($"/consumer/consume?topic=T1&consumer_id={consumerId}&{field}=2")).AssertSuccess();
        var wrong = await api.GetAsync($"/consumer/consume?topic=T1&consumer_id={consumerId}&{field}=7");

        Assert.Equal(2, producer.Int("partition"));
        Assert.Equal(2, consumer.Int("partition"));
        Assert.Equal(2, produced.Int("partition"));
        Assert.Equal(1, size.Long("size"));
        Assert.Equal(2, consumed.Int("partition"));
        wrong.AssertBadRequest("invalid partition 7");
    }

    public static TheoryData<string, string, string> UnknownPartitionFields => new()
    {
        { "POST", "/producer/register", """{"topic":"T1","partition_no":1}""" },
        { "POST", "/consumer/register", """{"topic":"T1","partitionId":1}""" },
        { "POST", "/producer/produce", """{"topic":"T1","producer_id":1,"message":"m","part_id":1}""" },
        { "POST", "/producer/produce?topic=T1&producer_id=1&message=m&partitionNumber=0", "" },
        { "GET", "/consumer/consume?topic=T1&consumer_id=1&partition_no=0", "" },
        { "GET", "/size?topic=T1&consumer_id=1&part_index=0", "" },
        { "GET", "/size", """{"topic":"T1","consumer_id":1,"PARTITIONID":true}""" },
    };

    [Theory]
    [MemberData(nameof(UnknownPartitionFields))]
    public async Task A_partition_field_under_an_unknown_spelling_is_refused_naming_it(string method, string path, string body)
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        var (producer, consumer) = await OneMessageAsync(api);
        var field = body.Length > 0
            ? System.Text.Json.JsonDocument.Parse(body).RootElement.EnumerateObject().Last().Name
            : path[(path.LastIndexOf('&') + 1)..path.LastIndexOf('=')];

        var reply = await api.SendAsync(new HttpMethod(method), path, body.Length > 0 ? new StringContent(body, Encoding.UTF8, "application/json") : null);

        reply.AssertBadRequest($"unknown field '{field}'", "partition_number");
        await AssertUnchangedAsync(api, producer, consumer);
    }

    [Fact]
    public async Task Fields_that_only_start_like_a_partition_are_fine_where_no_partition_is_taken()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);

        // POST /topics takes a partition count, not a partition: "partitions" is its own field there.
        (await api.PostJsonAsync("/topics", new { topic_name = "T1", partitions = 2, partition_no = 7 })).AssertSuccess();

        Assert.Equal([0, 1], await api.PartitionsAsync("T1"));
    }

    [Fact]
    public async Task A_json_value_of_the_wrong_kind_is_refused_naming_the_field_even_when_the_query_has_it()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        var (producer, consumer) = await OneMessageAsync(api);

        var boolean = await api.SendAsync(HttpMethod.Get, $"/size?topic=T1&consumer_id={consumer}",
            new StringContent("""{"consumer_id":false}""", Encoding.UTF8, "application/json"));
        var array = await api.PostRawAsync("/consumer/register", """{"topic":"T1","from":["earliest"]}""");
        var unread = await api.GetWithJsonAsync("/topics", new { topic_name = new { nested = true }, ignored = false });

        boolean.AssertBadRequest("'consumer_id' must be an integer, got boolean");
        array.AssertBadRequest("'from' must be a string, got array");
        unread.AssertSuccess();
        await AssertUnchangedAsync(api, producer, consumer);
    }

    [Fact]
    public async Task Ids_and_numbers_may_be_numeric_strings()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);

        (await api.PostRawAsync("/topics", """{"topic_name":"T1","number_of_partitions":"2"}""")).AssertSuccess();
        var producer = await api.RegisterProducerAsync("T1");
        var consumer = await api.RegisterConsumerAsync("T1");
        var asString = (await api.PostRawAsync("/producer/produce",
            $$"""{"topic":"T1","producer_id":"{{producer}}","message":"s","partition":"1"}""")).AssertSuccess();
        var asNumber = (await api.PostRawAsync("/producer/produce",
            $$"""{"topic":"T1","producer_id":{{producer}},"message":"n","partition":1}""")).AssertSuccess();
        var size = (await api.GetWithJsonAsync("/size", new { topic = "T1", consumer_id = consumer.ToString(), partition = "1" })).AssertSuccess();
        var consumed = (await api.GetWithJsonAsync("/consumer/consume", new { topic = "T1", consumer_id = consumer })).AssertSuccess();

        Assert.Equal([0, 1], await api.PartitionsAsync("T1"));
        Assert.Equal((1, 0L), (asString.Int("partition"), asString.Long("offset")));
        Assert.Equal((1, 1L), (asNumber.Int("partition"), asNumber.Long("offset")));
        Assert.Equal(2, size.Long("size"));
        Assert.Equal("s", consumed.String("message"));
    }

    [Fact]
    public async Task Every_endpoint_accepts_a_form_body()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);

        (await api.PostFormAsync("/topics", ("name", "T1"), ("number_of_partitions", "2"))).AssertSuccess();
        var producer = (await api.PostFormAsync("/producer/register", ("topic", "T1"), ("partition", "1"))).AssertSuccess().Long("producer_id");
        var consumer = (await api.PostFormAsync("/consumer/register", ("topic", "T1"), ("from", "earliest"))).AssertSuccess().Long("consumer_id");
        var produced = (await api.PostFormAsync("/producer/produce",
            ("topic", "T1"), ("producer_id", producer.ToString()), ("message", "a form message & more=yes"))).AssertSuccess();
        var form = new FormUrlEncodedContent([KeyValuePair.Create("topic", "T1"), KeyValuePair.Create("consumer_id", consumer.ToString())]);
        var size = (await api.SendAsync(HttpMethod.Get, "/size", form)).AssertSuccess();

        Assert.Equal([0, 1], await api.PartitionsAsync("T1"));
        Assert.Equal(1, produced.Int("partition"));
        Assert.Equal(1, size.Long("size"));
        Assert.Equal(("a form message & more=yes", 1, 0L), await api.ConsumeAsync("T1", consumer));
    }

    [Fact]
    public async Task A_multipart_form_body_is_read_too()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        var producer = await api.RegisterProducerAsync("T1");
        var consumer = await api.RegisterConsumerAsync("T1");

        var multipart = new MultipartFormDataContent
        {
            { new StringContent("T1"), "topic_name" },
            { new StringContent(producer.ToString()), "producer_id" },
            { new StringContent("multi\npart"), "message" },
        };
        (await api.SendAsync(HttpMethod.Post, "/producer/produce", multipart)).AssertSuccess();

        Assert.Equal(("multi\npart", 0, 0L), await api.ConsumeAsync("T1", consumer));
    }

    [Fact]
    public async Task Every_endpoint_accepts_the_query_string_even_on_post()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);

        (await api.SendAsync(HttpMethod.Post, "/topics?topic_name=T1&partitions=2")).AssertSuccess();
        var producer = (await api.SendAsync(HttpMethod.Post, "/producer/register?topic=T1")).AssertSuccess().Long("producer_id");
        var consumer = (await api.SendAsync(HttpMethod.Post, "/consumer/register?topic=T1&from=EARLIEST")).AssertSuccess().Long("consumer_id");
        var produced = (await api.SendAsync(HttpMethod.Post,
            SeedClient.Query("/producer/produce", ("topic", "T1"), ("producer_id", producer), ("message", "q & a"), ("key", "k")))).AssertSuccess();

        Assert.Equal([0, 1], await api.PartitionsAsync("T1"));
        Assert.Equal(1, await api.SizeAsync("T1", consumer));
        Assert.Equal(("q & a", produced.Int("partition"), 0L), await api.ConsumeAsync("T1", consumer));
    }

    [Fact]
    public async Task Get_endpoints_accept_a_json_body()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 3);
        var producer = await api.RegisterProducerAsync("T1");
        var consumer = await api.RegisterConsumerAsync("T1");
        await api.ProduceAsync("T1", producer, "m", partition: 2);

        var partitions = (await api.GetWithJsonAsync("/topics/partition", new { topic_name = "T1" })).AssertSuccess();
        var size = (await api.GetWithJsonAsync("/size", new { topic_name = "T1", consumer_id = consumer })).AssertSuccess();
        var consumed = (await api.GetWithJsonAsync("/consumer/consume", new { name = "T1", consumer_id = consumer, partition_id = 2 })).AssertSuccess();
        var topics = (await api.GetWithJsonAsync("/topics", new { ignored = true })).AssertSuccess();

        Assert.Equal(3, partitions.Body.GetProperty("partitions").GetArrayLength());
        Assert.Equal(1, size.Long("size"));
        Assert.Equal(("m", 2, 0L), (consumed.String("message"), consumed.Int("partition"), consumed.Long("offset")));
        Assert.Equal(1, topics.Body.GetProperty("topics").GetArrayLength());
    }

    [Fact]
    public async Task A_json_body_wins_over_the_query_string()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);

        (await api.SendAsync(HttpMethod.Post, "/topics?topic_name=FromQuery&partitions=3",
            SeedClient.Json(new { topic_name = "FromBody" }))).AssertSuccess();
        (await api.SendAsync(HttpMethod.Post, "/topics?topic_name=Form2",
            new FormUrlEncodedContent([KeyValuePair.Create("topic_name", "FromForm")]))).AssertSuccess();

        Assert.Equal(["FromBody", "FromForm"], await api.TopicsAsync());
        // The query string still supplies what the body leaves out.
        Assert.Equal([0, 1, 2], await api.PartitionsAsync("FromBody"));
    }

    [Fact]
    public async Task Messages_round_trip_exactly_whatever_their_characters()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        var producer = await api.RegisterProducerAsync("T1");
        var consumer = await api.RegisterConsumerAsync("T1");
        string[] messages = ["plain", "quote \" backslash \\ slash /", "line\nbreak\ttab", "<script>&amp;</script>", "caf\u00e9 \u2028 \U0001F600 \u4e2d", "  "];

        foreach (var message in messages)
        {
            await api.ProduceAsync("T1", producer, message);
        }
        await api.ProduceAsync("T1", producer, "via form \U0001F600");
        (await api.PostFormAsync("/producer/produce", ("topic", "T1"), ("producer_id", producer.ToString()), ("message", "form \u00e9"))).AssertSuccess();
        (await api.PostRawAsync("/producer/produce", $$"""{"topic":"T1","producer_id":{{producer}},"message":42}""")).AssertSuccess();

        foreach (var message in messages.Append("via form \U0001F600").Append("form \u00e9").Append("42"))
        {
            Assert.Equal(message, (await api.ConsumeAsync("T1", consumer)).Message);
        }
    }

    public static TheoryData<string, string, string> UnreadableBodies => new()
    {
        { "POST", "/topics", """{"topic_name":"T9" """ },
        { "POST", "/topics", "topic_name=T9" },
        { "POST", "/topics", """{"topic_name":"T9",}""" },
        { "POST", "/producer/register", """{'topic':'T9'}""" },
        { "POST", "/consumer/register", "{" },
        { "POST", "/producer/produce", """{"topic":"T1","producer_id":1,"message":"m""" },
        { "GET", "/consumer/consume", """{"topic":"T1","consumer_id":1""" },
        { "GET", "/size", "nonsense" },
        { "GET", "/topics/partition", """{"topic":}""" },
    };

    [Theory]
    [MemberData(nameof(UnreadableBodies))]
    public async Task Malformed_json_is_refused_and_changes_nothing(string method, string path, string body)
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        var (producer, consumer) = await OneMessageAsync(api);

        (await api.SendAsync(new HttpMethod(method), path, new StringContent(body, Encoding.UTF8, "application/json")))
            .AssertBadRequest("malformed json");

        await AssertUnchangedAsync(api, producer, consumer);
    }

    [Theory]
    [InlineData("POST", "/topics", """["T9"]""", "array")]
    [InlineData("POST", "/producer/register", "\"T9\"", "string")]
    [InlineData("POST", "/consumer/register", "42", "number")]
    [InlineData("POST", "/producer/produce", "null", "null")]
    [InlineData("GET", "/consumer/consume", "true", "true")]
    [InlineData("GET", "/size", "[]", "array")]
    [InlineData("GET", "/topics/partition", "[{\"topic\":\"T1\"}]", "array")]
    public async Task A_json_body_that_is_not_an_object_is_refused_and_changes_nothing(string method, string path, string body, string kind)
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        var (producer, consumer) = await OneMessageAsync(api);

        (await api.SendAsync(new HttpMethod(method), path, new StringContent(body, Encoding.UTF8, "application/json")))
            .AssertBadRequest("must be an object", kind);

        await AssertUnchangedAsync(api, producer, consumer);
    }

    [Theory]
    [InlineData("""{"topic":"T1","producer_id":1,"message":"a\ud800b"}""")]
    [InlineData("""{"topic":"T1","producer_id":1,"message":"\udfff"}""")]
    [InlineData("""{"topic":"T1","producer_id":1,"message":"m","\ud800":"x"}""")]
    public async Task Json_text_that_is_not_unicode_is_refused_and_changes_nothing(string body)
    {
        // Well-formed JSON can still escape a lone surrogate, which no UTF-8 store or reply can carry.
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        var (producer, consumer) = await OneMessageAsync(api);
        Assert.Equal(1, producer);

        (await api.PostRawAsync("/producer/produce", body)).AssertBadRequest("not valid unicode");

        await AssertUnchangedAsync(api, producer, consumer);
    }

    [Fact]
    public async Task A_form_beyond_the_form_readers_limits_is_a_client_error_not_a_server_error()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        var (producer, consumer) = await OneMessageAsync(api);

        // ASP.NET's form reader refuses keys over 2 KiB and more than 1024 fields.
        var longKey = await api.PostFormAsync("/producer/produce",
            ("topic", "T1"), ("producer_id", producer.ToString()), ("message", "m"), (new string('k', 3000), "v"));
        var manyFields = await api.PostFormAsync("/producer/produce",
            [("topic", "T1"), ("producer_id", producer.ToString()), ("message", "m"), .. Enumerable.Range(0, 1100).Select(i => ($"f{i}", "v"))]);

        longKey.AssertBadRequest("form");
        manyFields.AssertBadRequest("form");
        await AssertUnchangedAsync(api, producer, consumer);
    }

    /// <summary>Topic T1 with one message, its producer and an earliest consumer that has not read it.</summary>
    private static async Task<(long Producer, long Consumer)> OneMessageAsync(SeedClient api)
    {
        var producer = await api.RegisterProducerAsync("T1");
        var consumer = await api.RegisterConsumerAsync("T1", from: "earliest");
        await api.ProduceAsync("T1", producer, "only");
        return (producer, consumer);
    }

    private static async Task AssertUnchangedAsync(SeedClient api, long producer, long consumer)
    {
        Assert.Equal(["T1"], await api.TopicsAsync());
        Assert.Equal(1, await api.SizeAsync("T1", consumer));
        Assert.Equal(consumer + 1, await api.RegisterConsumerAsync("T1"));
        Assert.Equal(producer + 1, await api.RegisterProducerAsync("T1"));
        Assert.Equal(("only", 0, 0L), await api.ConsumeAsync("T1", consumer));
        Assert.Equal(HttpStatusCode.BadRequest, (await api.TryConsumeAsync("T1", consumer)).Status);
    }
}
