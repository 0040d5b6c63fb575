using System.Net;
using System.Text.Json.Nodes;
using Queue.Core.Log;
using Queue.Testing;

namespace Queue.Http.Tests.V1;

public sealed class V1ProduceTests : IAsyncLifetime
{
    private TestNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync(s => s with { Limits = s.Limits with { MaxMessageBytes = 64 } });
        await _node.Http.PostOkAsync("v1/topics", new { name = "t", partitions = 3 });
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_batch_gets_offsets_in_request_order_and_lands_where_asked()
    {
        var reply = await _node.Http.PostOkAsync("v1/topics/t/messages", new
        {
            messages = new object[]
            {
                new { value = "p2-a", partition = 2 },
                new { value = "p2-b", partition = 2 },
                new { value = "keyed", key = "customer-7" },
                new { value = "p0", partition = 0 },
            },
        });
        var offsets = Offsets(reply);
        Assert.Equal([(2, 0L), (2, 1L), (KeyPartitioner.PartitionFor("customer-7", 3), offsets[2].Offset), (0, offsets[3].Offset)], offsets);
        Assert.False(reply["duplicate"]!.GetValue<bool>());

        var fetched = await _node.Http.GetOkAsync("v1/topics/t/partitions/2/messages?offset=0");
        Assert.Equal(["p2-a", "p2-b"], V1Http.Values(fetched).Take(2));
    }

    [Fact]
    public async Task Key_less_messages_of_one_batch_stay_together()
    {
        var reply = await _node.Http.PostOkAsync("v1/topics/t/messages", new { messages = new[] { new { value = "1" }, new { value = "2" }, new { value = "3" } } });
        var offsets = Offsets(reply);
        Assert.Single(offsets.Select(o => o.Partition).Distinct());
        Assert.Equal([offsets[0].Offset, offsets[0].Offset + 1, offsets[0].Offset + 2], offsets.Select(o => o.Offset));
    }

    [Fact]
    public async Task A_retried_sequence_is_not_appended_twice()
    {
        var producer = await _node.Http.PostOkAsync("v1/producers", new { topic = "t" });
        var id = producer["producer_id"]!.GetValue<long>();
        var batch = new { producer_id = id, sequence = 0, messages = new object[] { new { value = "once" }, new { value = "only", key = "k" } } };

        var first = await _node.Http.PostOkAsync("v1/topics/t/messages", batch);
        var retry = await _node.Http.PostOkAsync("v1/topics/t/messages", batch);

        Assert.Equal(Offsets(first), Offsets(retry));
        Assert.True(retry["duplicate"]!.GetValue<bool>());
        var total = (await _node.Http.GetOkAsync("v1/topics/t"))["partition_states"]!.AsArray().Sum(s => s!["high_watermark"]!.GetValue<long>());
        Assert.Equal(2, total);

        var next = await _node.Http.PostOkAsync("v1/topics/t/messages", batch with { sequence = 1 });
        Assert.False(next["duplicate"]!.GetValue<bool>());
        Assert.NotEqual(Offsets(first), Offsets(next));
    }

    [Fact]
    public async Task An_older_sequence_is_a_conflict_and_writes_nothing()
    {
        var id = (await _node.Http.PostOkAsync("v1/producers", new { topic = "t", partition = 1 }))["producer_id"]!.GetValue<long>();
        await _node.Http.PostOkAsync("v1/topics/t/messages", new { producer_id = id, sequence = 5, messages = new[] { new { value = "five" } } });

        var (status, body) = await _node.Http.PostAsync("v1/topics/t/messages", new { producer_id = id, sequence = 4, messages = new[] { new { value = "four" } } });

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("conflict", V1Http.ErrorCode(body));
        Assert.Equal(["five"], V1Http.Values(await _node.Http.GetOkAsync("v1/topics/t/partitions/1/messages?offset=0")));
    }

    [Fact]
    public async Task Bad_batches_change_nothing()
    {
        var id = (await _node.Http.PostOkAsync("v1/producers", new { topic = "t" }))["producer_id"]!.GetValue<long>();
        var cases = new (object Body, HttpStatusCode Status)[]
        {
            (new { messages = Array.Empty<object>() }, HttpStatusCode.BadRequest),
            (new { messages = new object[] { new { value = "ok" }, new { value = new string('x', 65) } } }, HttpStatusCode.RequestEntityTooLarge),
            (new { messages = new object[] { new { value = "ok", partition = 0 }, new { value = "bad", partition = 3 } } }, HttpStatusCode.BadRequest),
            (new { messages = new object[] { new { key = "no value" } } }, HttpStatusCode.BadRequest),
            (new { sequence = 1, messages = new[] { new { value = "no producer" } } }, HttpStatusCode.BadRequest),
            (new { producer_id = 999, messages = new[] { new { value = "unknown producer" } } }, HttpStatusCode.NotFound),
            (new { producer_id = id, sequence = -1, messages = new[] { new { value = "negative" } } }, HttpStatusCode.BadRequest),
        };
        foreach (var (body, expected) in cases)
        {
            var (status, error) = await _node.Http.PostAsync("v1/topics/t/messages", body);
            Assert.True(expected == status, $"{expected} expected for {JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(body))}, got {status} {error.ToJsonString()}");
            V1Http.ErrorCode(error);
        }
        var (missing, notFound) = await _node.Http.PostAsync("v1/topics/nope/messages", new { messages = new[] { new { value = "x" } } });
        Assert.Equal(HttpStatusCode.NotFound, missing);
        V1Http.ErrorCode(notFound);

        var detail = await _node.Http.GetOkAsync("v1/topics/t");
        Assert.All(detail["partition_states"]!.AsArray(), s => Assert.Equal(0, s!["high_watermark"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Producer_registration_needs_an_existing_topic()
    {
        var (status, body) = await _node.Http.PostAsync("v1/producers", new { topic = "not-there" });
        Assert.Equal(HttpStatusCode.NotFound, status);
        V1Http.ErrorCode(body);
    }

    private static List<(int Partition, long Offset)> Offsets(JsonNode reply) =>
        reply["offsets"]!.AsArray().Select(o => (o!["partition"]!.GetValue<int>(), o["offset"]!.GetValue<long>())).ToList();
}
