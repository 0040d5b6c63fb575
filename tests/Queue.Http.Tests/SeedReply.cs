using System.Net;
using System.Text.Json;

namespace Queue.Http.Tests;

/// <summary>What the node answered: the status code and the JSON body, parsed.</summary>
public sealed record SeedReply(HttpStatusCode Status, JsonElement Body, string Raw)
{
    public string? String(string name) => Body.TryGetProperty(name, out var value) ? value.GetString() : null;

    public long Long(string name) => Body.GetProperty(name).GetInt64();

    public int Int(string name) => Body.GetProperty(name).GetInt32();

    public bool Has(string name) => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty(name, out _);

    /// <summary>Asserts 200 with <c>"status":"success"</c> and returns the reply for chaining.</summary>
    public SeedReply AssertSuccess()
    {
        Assert.True(Status == HttpStatusCode.OK, $"expected 200, got {(int)Status}: {Raw}");
        Assert.Equal("success", String("status"));
        return this;
    }

    /// <summary>
    /// Asserts the seeds' failure shape, <c>{"status":"failure","message":...}</c>, with the given
    /// status code, and that the message names the problem (each fragment, ignoring case).
    /// </summary>
    public string AssertFailure(HttpStatusCode status, params string[] fragments)
    {
        Assert.True(Status == status, $"expected {(int)status}, got {(int)Status}: {Raw}");
        Assert.Equal(JsonValueKind.Object, Body.ValueKind);
        Assert.Equal("failure", String("status"));
        var message = String("message");
        Assert.False(string.IsNullOrWhiteSpace(message), $"failure without a message: {Raw}");
        foreach (var fragment in fragments)
        {
            Assert.True(message!.Contains(fragment, StringComparison.OrdinalIgnoreCase),
                $"expected the message to mention '{fragment}', got: {message}");
        }
        return message!;
    }

    /// <summary>A client mistake on the seed API: 400 with the failure shape.</summary>
    public string AssertBadRequest(params string[] fragments) => AssertFailure(HttpStatusCode.BadRequest, fragments);
}
