using System.Net;
using Queue.Testing;

namespace Queue.Http.Tests;

/// <summary>GET /health, unknown routes, and what a known path with the wrong method gets.</summary>
public sealed class HealthAndRoutesTests
{
    [Fact]
    public async Task Health_reports_the_node_its_roles_and_its_journal()
    {
        await using var node = await TestNode.StartAsync(s => s with { Node = s.Node with { NodeId = "n-health" } });
        var api = new SeedClient(node.Http);

        var reply = (await api.GetAsync("/health")).AssertSuccess();

        Assert.Equal("n-health", reply.String("node"));
        Assert.Equal(["broker", "edge"], reply.Body.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("in-memory", reply.String("journal"));
    }

    [Theory]
    [InlineData("GET", "/nope")]
    [InlineData("POST", "/producer")]
    [InlineData("GET", "/topics/partition/extra")]
    [InlineData("GET", "/favicon.ico")]
    [InlineData("POST", "/v0/messages.json")]
    public async Task An_unknown_route_gets_404_with_the_failure_shape(string method, string path)
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);

        var reply = await api.SendAsync(new HttpMethod(method), path);

        reply.AssertFailure(HttpStatusCode.NotFound, $"No endpoint {method} {path}");
    }

    // A known path with the wrong method: the catch-all fallback takes it (it accepts any method),
    // so the client gets the same 404 failure as for an unknown route, naming method and path,
    // rather than an empty 405. Documented here so a change to that is deliberate.
    [Theory]
    [InlineData("POST", "/health")]
    [InlineData("DELETE", "/topics")]
    [InlineData("PUT", "/topics")]
    [InlineData("GET", "/producer/produce")]
    [InlineData("GET", "/producer/register")]
    [InlineData("POST", "/consumer/consume")]
    [InlineData("POST", "/size")]
    [InlineData("POST", "/topics/partition")]
    public async Task A_known_path_with_the_wrong_method_gets_404_naming_method_and_path(string method, string path)
    {
        await using var node = await TestNode.StartAsync();
        var api = new SeedClient(node.Http);

        var reply = await api.SendAsync(new HttpMethod(method), path, SeedClient.Json(new { topic_name = "T" }));

        reply.AssertFailure(HttpStatusCode.NotFound, $"No endpoint {method} {path}");
        Assert.Empty(await api.TopicsAsync());
    }
}
