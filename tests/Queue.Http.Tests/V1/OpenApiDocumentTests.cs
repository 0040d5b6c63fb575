using Queue.Testing;

namespace Queue.Http.Tests.V1;

public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task The_document_is_served_and_lists_the_v1_paths()
    {
        await using var node = await TestNode.StartAsync();
        var document = await node.Http.GetOkAsync("openapi/v1.json");

        Assert.StartsWith("3.", document["openapi"]!.GetValue<string>());
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/v1/topics", paths);
        Assert.Contains("/v1/topics/{topic}/messages", paths);
        Assert.Contains("/v1/topics/{topic}/partitions/{partition}/messages", paths);
        Assert.Contains("/v1/consumers/{id}/commit", paths);
        Assert.All(paths, p => Assert.StartsWith("/v1/", p));
        // Bodies are described with the names on the wire.
        var produce = document["paths"]!["/v1/topics/{topic}/messages"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["properties"]!.AsObject();
        Assert.Contains("producer_id", produce.Select(p => p.Key));
        var fetch = document["paths"]!["/v1/topics/{topic}/partitions/{partition}/messages"]!["get"]!["parameters"]!.AsArray();
        Assert.Contains("wait_ms", fetch.Select(p => p!["name"]!.GetValue<string>()));
    }
}
