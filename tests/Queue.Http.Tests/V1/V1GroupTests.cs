using System.Net;
using System.Text.Json.Nodes;
using Queue.Testing;

namespace Queue.Http.Tests.V1;

public sealed class V1GroupTests : IAsyncLifetime
{
    private TestNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync();
        await _node.Http.PostOkAsync("v1/topics", new { name = "orders", partitions = 4 });
        await _node.Http.PostOkAsync("v1/topics", new { name = "other", partitions = 1 });
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private static List<int> Partitions(JsonNode body) => body["partitions"]!.AsArray().Select(p => p!.GetValue<int>()).ToList();

    [Fact]
    public async Task Two_members_split_the_topic_and_a_zombie_cannot_move_offsets()
    {
        await _node.Http.PostOkAsync("v1/topics/orders/messages", new { messages = new[] { new { value = "a", partition = 0 }, new { value = "b", partition = 0 } } });
        var a = await _node.Http.PostOkAsync("v1/groups/svc/members", new { topic = "orders", session_timeout_ms = 60_000, from = "earliest" });
        var aId = a["member_id"]!.GetValue<string>();
        Assert.Equal([0, 1, 2, 3], Partitions(a));
        Assert.Equal(0, a["offsets"]!.AsArray().Single(o => o!["partition"]!.GetValue<int>() == 0)!["offset"]!.GetValue<long>());
        var generation1 = a["generation"]!.GetValue<long>();

        var b = await _node.Http.PostOkAsync("v1/groups/svc/members", new { topic = "orders", session_timeout_ms = 60_000 });
        var generation2 = b["generation"]!.GetValue<long>();
        Assert.True(generation2 > generation1);

        var aNow = await _node.Http.PostOkAsync($"v1/groups/svc/members/{aId}/heartbeat", new { generation = generation1 });
        Assert.Equal(generation2, aNow["generation"]!.GetValue<long>());
        Assert.Empty(Partitions(aNow).Intersect(Partitions(b)));
        Assert.Equal([0, 1, 2, 3], Partitions(aNow).Concat(Partitions(b)).Order());
        Assert.Contains(0, Partitions(aNow)); // sticky: a keeps its lowest partitions

        // a commits with the generation it had before b joined: a zombie's commit, refused.
        var (zombieStatus, zombie) = await _node.Http.PostAsync("v1/groups/svc/commit",
            new { member_id = aId, generation = generation1, offsets = new[] { new { partition = 0, offset = 2 } } });
        Assert.Equal(HttpStatusCode.Conflict, zombieStatus);
        Assert.Equal("conflict", V1Http.ErrorCode(zombie));

        var described = await _node.Http.PostOkAsync("v1/groups/svc/commit",
            new { member_id = aId, generation = generation2, offsets = new[] { new { partition = 0, offset = 1 } } });
        var p0 = described["partitions"]!.AsArray().Single(p => p!["partition"]!.GetValue<int>() == 0)!;
        Assert.Equal(1, p0["committed_offset"]!.GetValue<long>());
        Assert.Equal(1, p0["lag"]!.GetValue<long>());
        Assert.Equal(aId, p0["member_id"]!.GetValue<string>());

        // Beyond the high-water mark, or a partition b owns: refused, and nothing moved.
        var (beyond, _) = await _node.Http.PostAsync("v1/groups/svc/commit",
            new { member_id = aId, generation = generation2, offsets = new[] { new { partition = 0, offset = 3 } } });
        Assert.Equal(HttpStatusCode.Conflict, beyond);
        var (notOwned, _) = await _node.Http.PostAsync("v1/groups/svc/commit",
            new { member_id = aId, generation = generation2, offsets = new[] { new { partition = Partitions(b)[0], offset = 0 } } });
        Assert.Equal(HttpStatusCode.Conflict, notOwned);
        var group = await _node.Http.GetOkAsync("v1/groups/svc");
        Assert.Equal(1, group["partitions"]![0]!["committed_offset"]!.GetValue<long>());
        Assert.Equal(2, group["members"]!.AsArray().Count);

        using var left = await _node.Http.DeleteAsync($"v1/groups/svc/members/{b["member_id"]!.GetValue<string>()}");
        Assert.Equal(HttpStatusCode.NoContent, left.StatusCode);
        var alone = await _node.Http.PostOkAsync($"v1/groups/svc/members/{aId}/heartbeat", new { generation = generation2 });
        Assert.Equal([0, 1, 2, 3], Partitions(alone));
        // Partitions b held keep the offsets fixed at b's join ("latest" then): nothing is re-read or skipped.
        Assert.Equal(1, alone["offsets"]!.AsArray().Single(o => o!["partition"]!.GetValue<int>() == 0)!["offset"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_member_that_stops_heartbeating_is_removed_and_its_partitions_reassigned()
    {
        var quiet = await _node.Http.PostOkAsync("v1/groups/expiry/members", new { topic = "orders", session_timeout_ms = 1000 });
        var live = await _node.Http.PostOkAsync("v1/groups/expiry/members", new { topic = "orders", session_timeout_ms = 60_000 });
        var liveId = live["member_id"]!.GetValue<string>();
        Assert.Equal(2, Partitions(live).Count);

        await Eventually.True(async () =>
            Partitions(await _node.Http.PostOkAsync($"v1/groups/expiry/members/{liveId}/heartbeat", new { generation = 0 })).Count == 4,
            TimeSpan.FromSeconds(30), "the live member got every partition after the quiet one's session timeout");
        var (status, body) = await _node.Http.PostAsync($"v1/groups/expiry/members/{quiet["member_id"]!.GetValue<string>()}/heartbeat", new { generation = 0 });
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("not_found", V1Http.ErrorCode(body));
    }

    [Fact]
    public async Task Latest_starts_at_the_end_of_the_log_at_join()
    {
        await _node.Http.PostOkAsync("v1/topics/other/messages", new { messages = new[] { new { value = "old" }, new { value = "older" } } });
        var member = await _node.Http.PostOkAsync("v1/groups/tail/members", new { topic = "other", session_timeout_ms = 60_000, from = "latest" });
        Assert.Equal(2, member["offsets"]![0]!["offset"]!.GetValue<long>());
        var group = await _node.Http.GetOkAsync("v1/groups/tail");
        Assert.Equal(0, group["lag"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("svc2", "orders", 10, HttpStatusCode.BadRequest)]
    [InlineData("svc2", "orders", 100_000_000, HttpStatusCode.BadRequest)]
    [InlineData("svc2", "missing", 10_000, HttpStatusCode.NotFound)]
    [InlineData("bad%20name", "orders", 10_000, HttpStatusCode.BadRequest)]
    public async Task Bad_joins_are_refused_and_change_nothing(string group, string topic, long timeout, HttpStatusCode expected)
    {
        var (status, body) = await _node.Http.PostAsync($"v1/groups/{group}/members", new { topic, session_timeout_ms = timeout });
        Assert.Equal(expected, status);
        V1Http.ErrorCode(body);
        var (describe, _) = await _node.Http.GetJsonAsync($"v1/groups/{group}");
        // The group was not created: describing it finds nothing (or refuses the name again).
        Assert.Equal(expected == HttpStatusCode.BadRequest && group.Contains('%') ? HttpStatusCode.BadRequest : HttpStatusCode.NotFound, describe);
    }

    [Fact]
    public async Task A_group_consumes_one_topic()
    {
        await _node.Http.PostOkAsync("v1/groups/one/members", new { topic = "orders", session_timeout_ms = 60_000 });
        var (status, body) = await _node.Http.PostAsync("v1/groups/one/members", new { topic = "other", session_timeout_ms = 60_000 });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("orders", body["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_join_retried_with_the_member_id_it_chose_finds_its_first_attempt_instead_of_adding_a_member()
    {
        // The first answer "lost": the client retries the same join, same member_id.
        var first = await _node.Http.PostOkAsync("v1/groups/retried/members", new { topic = "orders", session_timeout_ms = 60_000, member_id = "worker-1.a_b" });
        var again = await _node.Http.PostOkAsync("v1/groups/retried/members", new { topic = "orders", session_timeout_ms = 60_000, member_id = "worker-1.a_b" });
        Assert.Equal("worker-1.a_b", first["member_id"]!.GetValue<string>());
        Assert.Equal(first.ToJsonString(), again.ToJsonString());
        var group = await _node.Http.GetOkAsync("v1/groups/retried");
        Assert.Single(group["members"]!.AsArray());

        // Another id is another member: the topic is split, under a new generation.
        var second = await _node.Http.PostOkAsync("v1/groups/retried/members", new { topic = "orders", session_timeout_ms = 60_000, member_id = "worker-2" });
        Assert.True(second["generation"]!.GetValue<long>() > first["generation"]!.GetValue<long>());
        Assert.Equal(2, Partitions(second).Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/inside")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task A_member_id_that_could_not_be_used_in_a_path_is_refused_and_adds_nobody(string memberId)
    {
        var (status, body) = await _node.Http.PostAsync("v1/groups/badid/members", new { topic = "orders", session_timeout_ms = 60_000, member_id = memberId });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("member_id", body["error"]!["message"]!.GetValue<string>());
        var (describe, _) = await _node.Http.GetJsonAsync("v1/groups/badid");
        Assert.Equal(HttpStatusCode.NotFound, describe);
    }
}
