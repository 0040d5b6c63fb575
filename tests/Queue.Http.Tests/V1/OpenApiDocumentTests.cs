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
        // Besides /v1, only the seed-compatible endpoints: no admin endpoints, no fallbacks.
        Assert.All(paths.Where(p => !p.StartsWith("/v1/", StringComparison.Ordinal)), p =>
            Assert.Contains(p, new[] { "/topics", "/topics/partition", "/producer/register", "/consumer/register", "/producer/produce", "/consumer/consume", "/size", "/health" }));
        // Bodies are described with the names on the wire.
        var produce = document["paths"]!["/v1/topics/{topic}/messages"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["properties"]!.AsObject();
        Assert.Contains("producer_id", produce.Select(p => p.Key));
        var fetch = document["paths"]!["/v1/topics/{topic}/partitions/{partition}/messages"]!["get"]!["parameters"]!.AsArray();
        Assert.Contains("wait_ms", fetch.Select(p => p!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_document_shows_the_seed_size_per_partition_and_the_partition_spellings()
    {
        await using var node = await TestNode.StartAsync();
        var document = await node.Http.GetOkAsync("openapi/v1.json");

        var size = document["paths"]!["/size"]!["get"]!;
        var parameters = size["parameters"]!.AsArray();
        var partition = parameters.Single(p => p!["name"]!.GetValue<string>() == "partition")!["description"]!.GetValue<string>();
        var schema = size["responses"]!["200"]!["content"]!["application/json"]!["schema"]!.ToJsonString();
        var reference = schema.Contains("$ref", StringComparison.Ordinal)
            ? document["components"]!["schemas"]!["SizeResponse"]!.ToJsonString()
            : schema;

        foreach (var spelling in new[] { "partition_id", "partition_index", "partition_number", "part" })
        {
            Assert.Contains(spelling, partition);
        }
        Assert.Contains("\"sizes\"", reference);
        Assert.Contains("\"size\"", reference);
        Assert.Contains("consumer_id", parameters.Select(p => p!["name"]!.GetValue<string>()));
    }
}
