using Queue.Testing;

namespace Queue.Http.Tests;

/// <summary>POST /consumer/register, GET /consumer/consume and GET /size: success and every refusal.</summary>
public sealed class ConsumerEndpointsTests
{
    [Fact]
    public async Task Registering_needs_an_existing_topic_and_creates_none()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);

        (await api.PostJsonAsync("/consumer/register", new { topic = "T1" })).AssertBadRequest("'T1'", "does not exist");

        Assert.Empty(await api.TopicsAsync());
    }

    [Fact]
    public async Task Registering_answers_unique_ids_and_echoes_a_partition()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 2);

        var whole = (await api.PostJsonAsync("/consumer/register", new { topic_name = "T1" })).AssertSuccess();
        var one = (await api.PostJsonAsync("/consumer/register", new { topic_name = "T1", partition = 1, from = "earliest" })).AssertSuccess();

        Assert.False(whole.Has("partition"));
        Assert.Equal(1, one.Int("partition"));
        Assert.NotEqual(whole.Long("consumer_id"), one.Long("consumer_id"));
    }

    [Theory]
    [InlineData("""{"partition":0}""", new[] { "missing", "topic_name" })]
    [InlineData("""{"topic":"T1","partition":-1}""", new[] { "invalid partition -1", "0 to 1" })]
    [InlineData("""{"topic":"T1","partition":2}""", new[] { "invalid partition 2", "0 to 1" })]
    [InlineData("""{"topic":"T1","partition":"zero"}""", new[] { "partition", "integer", "zero" })]
    [InlineData("""{"topic":"T1","from":"yesterday"}""", new[] { "from", "latest", "earliest", "yesterday" })]
    [InlineData("""{"topic":"T1","from":3}""", new[] { "from", "'3'" })]
    [InlineData("""{"topic":"bad name"}""", new[] { "contains ' '" })]
    public async Task A_bad_registration_fails_clearly_and_registers_nothing(string body, string[] fragments)
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 2);
        var first = await api.RegisterConsumerAsync("T1");

        (await api.PostRawAsync("/consumer/register", body)).AssertBadRequest(fragments);

        // Ids come from one counter: nothing was taken by the refused request.
        Assert.Equal(first + 1, await api.RegisterConsumerAsync("T1"));
        Assert.Equal(["T1"], await api.TopicsAsync());
    }

    [Fact]
    public async Task Consume_hands_out_messages_in_order_with_partition_and_offset_then_fails_when_empty()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        var producer = await api.RegisterProducerAsync("T1");
        var consumer = await api.RegisterConsumerAsync("T1");
        await api.ProduceAsync("T1", producer, "first");
        await api.ProduceAsync("T1", producer, "second");

        Assert.Equal(2, await api.SizeAsync("T1", consumer));
        Assert.Equal(("first", 0, 0L), await api.ConsumeAsync("T1", consumer));
        Assert.Equal(1, await api.SizeAsync("T1", consumer));
        Assert.Equal(("second", 0, 1L), await api.ConsumeAsync("T1", consumer));
        Assert.Equal(0, await api.SizeAsync("T1", consumer));
        await api.AssertNothingToConsumeAsync("T1", consumer);

        await api.ProduceAsync("T1", producer, "third");
        Assert.Equal(("third", 0, 2L), await api.ConsumeAsync("T1", consumer));
    }

    [Fact]
    public async Task Each_consumer_has_its_own_position()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        var producer = await api.RegisterProducerAsync("T1");
        var a = await api.RegisterConsumerAsync("T1");
        var b = await api.RegisterConsumerAsync("T1");
        await api.ProduceAsync("T1", producer, "m0");
        await api.ProduceAsync("T1", producer, "m1");

        Assert.Equal("m0", (await api.ConsumeAsync("T1", a)).Message);
        Assert.Equal("m1", (await api.ConsumeAsync("T1", a)).Message);
        Assert.Equal(2, await api.SizeAsync("T1", b));
        Assert.Equal("m0", (await api.ConsumeAsync("T1", b)).Message);
    }

    [Fact]
    public async Task A_latest_consumer_sees_only_later_messages_and_an_earliest_one_sees_all()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 2);
        var producer = await api.RegisterProducerAsync("T1");
        for (var i = 0; i < 4; i++)
        {
            await api.ProduceAsync("T1", producer, $"old{i}");
        }

        var byDefault = await api.RegisterConsumerAsync("T1");
        var latest = await api.RegisterConsumerAsync("T1", from: "latest");
        var earliest = await api.RegisterConsumerAsync("T1", from: "earliest");
        var earliestOnOne = await api.RegisterConsumerAsync("T1", partition: 1, from: "earliest");

        Assert.Equal(0, await api.SizeAsync("T1", byDefault));
        Assert.Equal(0, await api.SizeAsync("T1", latest));
        Assert.Equal(4, await api.SizeAsync("T1", earliest));
        Assert.Equal(2, await api.SizeAsync("T1", earliest, partition: 0));
        Assert.Equal(2, await api.SizeAsync("T1", earliestOnOne));
        await api.AssertNothingToConsumeAsync("T1", byDefault);
        await api.AssertNothingToConsumeAsync("T1", latest);

        await api.ProduceAsync("T1", producer, "new0");
        await api.ProduceAsync("T1", producer, "new1");

        foreach (var consumer in new[] { byDefault, latest })
        {
            Assert.Equal(2, await api.SizeAsync("T1", consumer));
            var seen = new[] { await api.ConsumeAsync("T1", consumer), await api.ConsumeAsync("T1", consumer) };
            Assert.Equal(["new0", "new1"], seen.Select(m => m.Message).Order());
            await api.AssertNothingToConsumeAsync("T1", consumer);
        }
        Assert.Equal(6, await api.SizeAsync("T1", earliest));
        var all = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            all.Add((await api.ConsumeAsync("T1", earliest)).Message);
        }
        Assert.Equal(["new0", "new1", "old0", "old1", "old2", "old3"], all.Order());
        Assert.Equal(3, await api.SizeAsync("T1", earliestOnOne));
    }

    [Fact]
    public async Task A_consumer_bound_to_a_partition_reads_only_it()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 3);
        var producer = await api.RegisterProducerAsync("T1");
        var consumer = await api.RegisterConsumerAsync("T1", partition: 2);
        await api.ProduceAsync("T1", producer, "p0", partition: 0);
        await api.ProduceAsync("T1", producer, "p2", partition: 2);

        Assert.Equal(1, await api.SizeAsync("T1", consumer));
        Assert.Equal(1, await api.SizeAsync("T1", consumer, partition: 2));
        Assert.Equal(("p2", 2, 0L), await api.ConsumeAsync("T1", consumer));
        await api.AssertNothingToConsumeAsync("T1", consumer);
        (await api.TryConsumeAsync("T1", consumer, partition: 0)).AssertBadRequest("registered for partition 2", "not 0");
        (await api.TrySizeAsync("T1", consumer, partition: 0)).AssertBadRequest("registered for partition 2", "not 0");
    }

    [Fact]
    public async Task A_topic_wide_consumer_may_read_one_partition_at_a_time()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 2);
        var producer = await api.RegisterProducerAsync("T1");
        var consumer = await api.RegisterConsumerAsync("T1");
        await api.ProduceAsync("T1", producer, "a", partition: 0);
        await api.ProduceAsync("T1", producer, "b", partition: 1);
        await api.ProduceAsync("T1", producer, "c", partition: 1);

        Assert.Equal(("b", 1, 0L), await api.ConsumeAsync("T1", consumer, partition: 1));
        Assert.Equal(1, await api.SizeAsync("T1", consumer, partition: 1));
        Assert.Equal(2, await api.SizeAsync("T1", consumer));
        Assert.Equal(("c", 1, 1L), await api.ConsumeAsync("T1", consumer, partition: 1));
        await api.AssertNothingToConsumeAsync("T1", consumer, partition: 1);
        Assert.Equal(("a", 0, 0L), await api.ConsumeAsync("T1", consumer));
    }

    [Fact]
    public async Task Size_answers_the_total_and_each_partition_the_consumer_reads_in_partition_order()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 3);
        var producer = await api.RegisterProducerAsync("T1");
        var wide = await api.RegisterConsumerAsync("T1", from: "earliest");
        var bound = await api.RegisterConsumerAsync("T1", partition: 2, from: "earliest");
        foreach (var (partition, count) in new[] { (0, 3), (1, 0), (2, 2) })
        {
            for (var i = 0; i < count; i++)
            {
                await api.ProduceAsync("T1", producer, $"m{partition}.{i}", partition);
            }
        }
        await api.ConsumeAsync("T1", wide, partition: 0);

        var all = (await api.TrySizeAsync("T1", wide)).AssertSuccess();
        var one = (await api.TrySizeAsync("T1", wide, partition: 2)).AssertSuccess();
        var ofBound = (await api.TrySizeAsync("T1", bound)).AssertSuccess();

        Assert.Equal(4, all.Long("size"));
        Assert.Equal("""[{"partition":0,"size":2},{"partition":1,"size":0},{"partition":2,"size":2}]""", all.Body.GetProperty("sizes").GetRawText());
        Assert.Equal(2, one.Long("size"));
        Assert.Equal("""[{"partition":2,"size":2}]""", one.Body.GetProperty("sizes").GetRawText());
        Assert.Equal(2, ofBound.Long("size"));
        Assert.Equal("""[{"partition":2,"size":2}]""", ofBound.Body.GetProperty("sizes").GetRawText());
    }

    public static TheoryData<string, string[]> BadReads => new()
    {
        { "consumer_id=1", ["missing", "topic_name"] },
        { "topic=T1", ["missing", "consumer_id"] },
        { "topic=T1&consumer_id=", ["missing", "consumer_id"] },
        { "topic=T1&consumer_id=abc", ["consumer_id", "integer", "abc"] },
        { "topic=T1&consumer_id=-4", ["consumer_id", "non-negative", "-4"] },
        { "topic=T1&consumer_id=1.0", ["consumer_id", "integer"] },
        { "topic=T1&consumer_id=77", ["consumer 77", "not registered"] },
        { "topic=T2&consumer_id=1", ["consumer 1", "not registered for topic 'T2'"] },
        { "topic=T3&consumer_id=1", ["'T3'", "does not exist"] },
        { "topic=T1&consumer_id=1&partition=-1", ["invalid partition -1", "0 to 1"] },
        { "topic=T1&consumer_id=1&partition=2", ["invalid partition 2", "0 to 1"] },
        { "topic=T1&consumer_id=1&partition=one", ["partition", "integer", "one"] },
        { "topic=T1&consumer_id=1&partition_id=2", ["invalid partition 2"] },
        { "topic=T1&consumer_id=2&partition=0", ["consumer 2", "registered for partition 1", "not 0"] },
        { "topic=bad%20name&consumer_id=1", ["contains ' '"] },
    };

    [Theory]
    [MemberData(nameof(BadReads))]
    public async Task A_bad_consume_or_size_fails_clearly_and_moves_nothing(string query, string[] fragments)
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 2);
        await api.CreateTopicAsync("T2", 2);
        var producer = await api.RegisterProducerAsync("T1");
        Assert.Equal(1, await api.RegisterConsumerAsync("T1", from: "earliest"));
        Assert.Equal(2, await api.RegisterConsumerAsync("T1", partition: 1, from: "earliest"));
        await api.ProduceAsync("T1", producer, "a", partition: 0);
        await api.ProduceAsync("T1", producer, "b", partition: 1);

        (await api.GetAsync("/consumer/consume?" + query)).AssertBadRequest(fragments);
        (await api.GetAsync("/size?" + query)).AssertBadRequest(fragments);

        Assert.Equal(2, await api.SizeAsync("T1", 1));
        Assert.Equal(1, await api.SizeAsync("T1", 2));
        Assert.Equal(("a", 0, 0L), await api.ConsumeAsync("T1", 1, partition: 0));
        Assert.Equal(("b", 1, 0L), await api.ConsumeAsync("T1", 2));
    }

    [Fact]
    public async Task Nothing_left_is_a_failure_that_moves_nothing()
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);
        await api.CreateTopicAsync("T1", 3);
        var producer = await api.RegisterProducerAsync("T1");
        var consumer = await api.RegisterConsumerAsync("T1");

        for (var i = 0; i < 3; i++)
        {
            await api.AssertNothingToConsumeAsync("T1", consumer);
            await api.AssertNothingToConsumeAsync("T1", consumer, partition: i);
        }
        Assert.Equal(0, await api.SizeAsync("T1", consumer));

        await api.ProduceAsync("T1", producer, "late", partition: 1);
        Assert.Equal(1, await api.SizeAsync("T1", consumer));
        Assert.Equal(("late", 1, 0L), await api.ConsumeAsync("T1", consumer));
    }
}
