using System.Net;
using Queue.Testing;

namespace Queue.Http.Tests;

/// <summary>POST /producer/register and POST /producer/produce: success and every refusal.</summary>
public sealed class ProducerEndpointsTests
{
    private static Task<TestNode> StartAsync() => TestNode.StartAsync(s => s with
    {
        Limits = s.Limits with { MaxMessageBytes = 100, MaxTopicNameLength = 10 },
    });

    [Fact]
    public async Task Registering_creates_a_missing_topic_with_the_default_partitions()
    {
        await using var node = await TestNode.StartAsync(s => s with { Limits = s.Limits with { DefaultPartitions = 3 } });
        var api = new SeedClient(node.Http);

        var reply = (await api.PostJsonAsync("/producer/register", new { topic = "T1" })).AssertSuccess();

        Assert.True(reply.Long("producer_id") >= 0);
        Assert.False(reply.Has("partition"));
        Assert.Equal(["T1"], await api.TopicsAsync());
        Assert.Equal([0, 1, 2], await api.PartitionsAsync("T1"));
    }

    [Fact]
    public async Task Registering_on_an_existing_topic_keeps_it_and_ids_are_unique()
    {
        await using var node = await StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 4);

        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await api.RegisterProducerAsync("T1"));
        }
        ids.Add(await api.RegisterProducerAsync("T2"));

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal([0, 1, 2, 3], await api.PartitionsAsync("T1"));
    }

    [Fact]
    public async Task Registering_for_one_partition_echoes_it()
    {
        await using var node = await StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 3);

        var reply = (await api.PostJsonAsync("/producer/register", new { topic_name = "T1", partition = 2 })).AssertSuccess();

        Assert.Equal(2, reply.Int("partition"));
    }

    [Theory]
    [InlineData("""{"partition":0}""", new[] { "missing", "topic_name" })]
    [InlineData("""{"topic":"T1","partition":-1}""", new[] { "invalid partition -1", "0 to 1" })]
    [InlineData("""{"topic":"T1","partition":2}""", new[] { "invalid partition 2", "0 to 1" })]
    [InlineData("""{"topic":"T1","partition":"one"}""", new[] { "partition", "integer", "one" })]
    [InlineData("""{"topic":"T1","partition":1.5}""", new[] { "partition", "integer" })]
    [InlineData("""{"topic":"bad name"}""", new[] { "contains ' '" })]
    // The topic would be created by this registration: a bad partition must not create it.
    [InlineData("""{"topic":"T9","partition":1}""", new[] { "invalid partition 1", "'T9'" })]
    [InlineData("""{"topic":"T9","partition":-1}""", new[] { "invalid partition -1", "'T9'" })]
    [InlineData("""{"topic":"T9","partition":"x"}""", new[] { "partition", "integer" })]
    public async Task A_bad_registration_fails_clearly_and_creates_nothing(string body, string[] fragments)
    {
        await using var node = await StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 2);

        (await api.PostRawAsync("/producer/register", body)).AssertBadRequest(fragments);

        Assert.Equal(["T1"], await api.TopicsAsync());
    }

    [Fact]
    public async Task Produce_answers_with_the_partition_and_dense_offsets()
    {
        await using var node = await StartAsync();
        var api = new SeedClient(node.Http);
        var producer = await api.RegisterProducerAsync("T1");
        var consumer = await api.RegisterConsumerAsync("T1", from: "earliest");

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal((0, i), await api.ProduceAsync("T1", producer, $"m{i}"));
        }

        Assert.Equal(5, await api.SizeAsync("T1", consumer));
        Assert.Equal(("m0", 0, 0L), await api.ConsumeAsync("T1", consumer));
    }

    [Fact]
    public async Task Produce_to_a_chosen_partition_counts_offsets_per_partition()
    {
        await using var node = await StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 3);
        var producer = await api.RegisterProducerAsync("T1");

        Assert.Equal((2, 0L), await api.ProduceAsync("T1", producer, "a", partition: 2));
        Assert.Equal((2, 1L), await api.ProduceAsync("T1", producer, "b", partition: 2));
        Assert.Equal((0, 0L), await api.ProduceAsync("T1", producer, "c", partition: 0));
        Assert.Equal((2, 2L), await api.ProduceAsync("T1", producer, "d", partition: 2));
    }

    [Fact]
    public async Task An_empty_message_and_one_exactly_at_the_limit_are_accepted()
    {
        await using var node = await StartAsync();
        var api = new SeedClient(node.Http);
        var producer = await api.RegisterProducerAsync("T1");
        var consumer = await api.RegisterConsumerAsync("T1", from: "earliest");

        await api.ProduceAsync("T1", producer, "");
        await api.ProduceAsync("T1", producer, new string('x', 100));
        // 50 two-byte characters: 100 UTF-8 bytes.
        await api.ProduceAsync("T1", producer, new string('é', 50));

        Assert.Equal("", (await api.ConsumeAsync("T1", consumer)).Message);
        Assert.Equal(new string('x', 100), (await api.ConsumeAsync("T1", consumer)).Message);
        Assert.Equal(new string('é', 50), (await api.ConsumeAsync("T1", consumer)).Message);
    }

    public static TheoryData<string, string[]> BadProduces => new()
    {
        { """{"producer_id":1,"message":"m"}""", ["missing", "topic_name"] },
        { """{"topic":"T1","message":"m"}""", ["missing", "producer_id"] },
        { """{"topic":"T1","producer_id":1}""", ["missing", "message"] },
        { """{"topic":"T1","producer_id":1,"message":null}""", ["missing", "message"] },
        { """{"topic":"T1","producer_id":"abc","message":"m"}""", ["producer_id", "integer", "abc"] },
        { """{"topic":"T1","producer_id":-1,"message":"m"}""", ["producer_id", "non-negative", "-1"] },
        { """{"topic":"T1","producer_id":1.5,"message":"m"}""", ["producer_id", "integer"] },
        { """{"topic":"T1","producer_id":999,"message":"m"}""", ["producer 999", "not registered"] },
        { """{"topic":"T2","producer_id":1,"message":"m"}""", ["producer 1", "not registered for topic 'T2'"] },
        { """{"topic":"T3","producer_id":1,"message":"m"}""", ["producer 1", "not registered for topic 'T3'"] },
        { """{"topic":"T1","producer_id":1,"message":"m","partition":-1}""", ["invalid partition -1", "0 to 1"] },
        { """{"topic":"T1","producer_id":1,"message":"m","partition":2}""", ["invalid partition 2", "0 to 1"] },
        { """{"topic":"T1","producer_id":1,"message":"m","partition":"first"}""", ["partition", "integer", "first"] },
        { """{"topic":"T1","producer_id":2,"message":"m","partition":0}""", ["producer 2", "registered for partition 1", "not 0"] },
        { """{"topic":"T1","producer_id":1,"message":"m","partition":"x","key":"k"}""", ["partition", "integer"] },
        { """{"topic":"T1","producer_id":1,"message":{"text":"m"}}""", ["'message' must be a string, got object"] },
        { """{"topic":"T1","producer_id":1,"message":true}""", ["'message' must be a string, got boolean"] },
        { """{"topic":"T1","producer_id":[1],"message":"m"}""", ["'producer_id' must be an integer, got array"] },
        { """{"topic":"T1","producer_id":1,"message":"m","partition":false}""", ["'partition' must be an integer, got boolean"] },
        { """{"topic":"T1","producer_id":1,"message":"m","key":{"k":1}}""", ["'key' must be a string, got object"] },
        { """{"topic":"bad/name","producer_id":1,"message":"m"}""", ["contains '/'"] },
        // Valid JSON escapes that no journal can store as text.
        { """{"topic":"T1","producer_id":1,"message":"a\u0000b"}""", ["NUL", "position 1"] },
        { """{"topic":"T1","producer_id":1,"message":"ab\udc00"}""", ["not valid Unicode"] },
    };

    [Theory]
    [MemberData(nameof(BadProduces))]
    public async Task A_bad_produce_fails_clearly_and_appends_nothing(string body, string[] fragments)
    {
        await using var node = await StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 2);
        await api.CreateTopicAsync("T2", 2);
        Assert.Equal(1, await api.RegisterProducerAsync("T1"));
        Assert.Equal(2, await api.RegisterProducerAsync("T1", partition: 1));
        var consumer = await api.RegisterConsumerAsync("T1", from: "earliest");
        var other = await api.RegisterConsumerAsync("T2", from: "earliest");

        (await api.PostRawAsync("/producer/produce", body)).AssertBadRequest(fragments);

        Assert.Equal(0, await api.SizeAsync("T1", consumer));
        Assert.Equal(0, await api.SizeAsync("T2", other));
        Assert.Equal(["T1", "T2"], await api.TopicsAsync());
        // The next good message still gets the first offset: the refused one took none.
        Assert.Equal((0, 0L), await api.ProduceAsync("T1", 1, "good", partition: 0));
        Assert.Equal((1, 0L), await api.ProduceAsync("T1", 2, "good"));
    }

    public static TheoryData<string, string[]> OversizedProduces => new()
    {
        { "{\"topic\":\"T1\",\"producer_id\":1,\"message\":\"" + new string('x', 101) + "\"}", ["101 bytes", "limit is 100"] },
        // 51 characters, but 102 UTF-8 bytes: the limit is on bytes.
        { "{\"topic\":\"T1\",\"producer_id\":1,\"message\":\"" + new string('é', 51) + "\"}", ["102 bytes", "limit is 100"] },
        { "{\"topic\":\"T1\",\"producer_id\":1,\"message\":\"" + new string('x', 5000) + "\"}", ["5000 bytes", "limit is 100"] },
        { """{"topic":"waytoolongname","producer_id":1,"message":"m"}""", ["14 characters", "limit is 10"] },
    };

    [Theory]
    [MemberData(nameof(OversizedProduces))]
    public async Task Too_large_is_413_as_on_v1_and_appends_nothing(string body, string[] fragments)
    {
        await using var node = await StartAsync();
        var api = new SeedClient(node.Http);
        var producer = await api.RegisterProducerAsync("T1");
        var consumer = await api.RegisterConsumerAsync("T1", from: "earliest");

        (await api.PostRawAsync("/producer/produce", body)).AssertFailure(HttpStatusCode.RequestEntityTooLarge, fragments);
        (await api.PostRawAsync("/producer/register", """{"topic":"waytoolongname"}""")).AssertFailure(HttpStatusCode.RequestEntityTooLarge, "limit is 10");

        Assert.Equal(0, await api.SizeAsync("T1", consumer));
        Assert.Equal((0, 0L), await api.ProduceAsync("T1", producer, "small"));
        Assert.Equal(["T1"], await api.TopicsAsync());
    }

    [Fact]
    public async Task A_message_far_beyond_the_limit_gets_413_in_the_seed_shape()
    {
        // Past the server's request-body limit (about 64 KiB here), Kestrel refuses the body
        // before our own check sees the message; still 413 with the seeds' failure body.
        await using var node = await StartAsync();
        var api = new SeedClient(node.Http);
        var producer = await api.RegisterProducerAsync("T1");
        var consumer = await api.RegisterConsumerAsync("T1", from: "earliest");

        (await api.TryProduceAsync("T1", producer, new string('x', 200_000))).AssertFailure(HttpStatusCode.RequestEntityTooLarge, "too large");
        (await api.PostFormAsync("/producer/produce", ("topic", "T1"), ("producer_id", producer.ToString()), ("message", new string('x', 200_000))))
            .AssertFailure(HttpStatusCode.RequestEntityTooLarge, "too large");

        Assert.Equal(0, await api.SizeAsync("T1", consumer));
        Assert.Equal((0, 0L), await api.ProduceAsync("T1", producer, "small"));
    }

    [Fact]
    public async Task A_message_at_the_default_limit_fits_however_its_body_is_encoded()
    {
        // The request-body limit must leave room for the worst encodings of a message that is
        // itself within max-message-bytes (1 MiB by default): JSON escaping every character as
        // \uXXXX (6 bytes per byte) and a form percent-encoding 3-byte characters (9 per 3).
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        var producer = await api.RegisterProducerAsync("T1");
        var consumer = await api.RegisterConsumerAsync("T1");
        const int limit = 1024 * 1024;
        var escaped = string.Concat(Enumerable.Repeat("\\u0078", limit));
        var wide = new string('\u4e2d', limit / 3);

        (await api.PostRawAsync("/producer/produce", $$"""{"topic":"T1","producer_id":{{producer}},"message":"{{escaped}}"}""")).AssertSuccess();
        (await api.PostFormAsync("/producer/produce", ("topic", "T1"), ("producer_id", producer.ToString()), ("message", wide))).AssertSuccess();
        (await api.PostRawAsync("/producer/produce", $$"""{"topic":"T1","producer_id":{{producer}},"message":"{{escaped}}x"}"""))
            .AssertFailure(HttpStatusCode.RequestEntityTooLarge, $"{limit + 1} bytes", $"limit is {limit}");

        Assert.Equal(new string('x', limit), (await api.ConsumeAsync("T1", consumer)).Message);
        Assert.Equal(wide, (await api.ConsumeAsync("T1", consumer)).Message);
        await api.AssertNothingToConsumeAsync("T1", consumer);
    }

    [Fact]
    public async Task A_producer_bound_to_a_partition_may_name_it_and_is_kept_to_it()
    {
        await using var node = await StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 3);
        var producer = await api.RegisterProducerAsync("T1", partition: 1);

        Assert.Equal((1, 0L), await api.ProduceAsync("T1", producer, "a"));
        Assert.Equal((1, 1L), await api.ProduceAsync("T1", producer, "b", partition: 1));
        Assert.Equal((1, 2L), await api.ProduceAsync("T1", producer, "c", key: "any-key"));
        (await api.TryProduceAsync("T1", producer, "d", partition: 2)).AssertBadRequest("registered for partition 1", "not 2");
    }
}
