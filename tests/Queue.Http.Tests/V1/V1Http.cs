using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Queue.Http.Tests.V1;

/// <summary>Sends /v1 requests to a test node and returns the status with the parsed body.</summary>
internal static class V1Http
{
    public static async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(this HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        return (response.StatusCode, await ParseAsync(response));
    }

    public static async Task<(HttpStatusCode Status, JsonNode Body)> GetJsonAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return (response.StatusCode, await ParseAsync(response));
    }

    public static async Task<JsonNode> PostOkAsync(this HttpClient http, string path, object body)
    {
        var (status, json) = await http.PostAsync(path, body);
        Assert.True(status is HttpStatusCode.OK or HttpStatusCode.Created, $"POST {path}: {(int)status} {json.ToJsonString()}");
        return json;
    }

    public static async Task<JsonNode> GetOkAsync(this HttpClient http, string path)
    {
        var (status, json) = await http.GetJsonAsync(path);
        Assert.True(status == HttpStatusCode.OK, $"GET {path}: {(int)status} {json.ToJsonString()}");
        return json;
    }

    /// <summary>Asserts the /v1 failure shape and returns its code.</summary>
    public static string ErrorCode(JsonNode body)
    {
        var message = body["error"]?["message"]?.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(message), body.ToJsonString());
        return body["error"]!["code"]!.GetValue<string>();
    }

    public static List<string> Values(JsonNode body) =>
        body["messages"]!.AsArray().Select(m => m!["value"]!.GetValue<string>()).ToList();

    private static async Task<JsonNode> ParseAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text.Length == 0 ? "{}" : text)!;
    }
}
