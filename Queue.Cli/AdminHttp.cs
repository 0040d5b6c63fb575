using System.Net;
using System.Text.Json;
using Queue.Client;

namespace Queue.Cli;

/// <summary>
/// GETs of the admin endpoints, failing the way the SDK does — <see cref="QueueUnavailableException"/>
/// when nothing answers, <see cref="QueueRequestException"/> with the server's message when it
/// refuses — so one mapping to exit codes covers both.
/// </summary>
public sealed class AdminHttp(HttpClient http) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(path, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new QueueUnavailableException($"GET {path}: cannot reach {http.BaseAddress}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new QueueUnavailableException($"GET {path}: no answer from {http.BaseAddress} within {http.Timeout.TotalSeconds:0} s", new TimeoutException(ex.Message));
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new QueueRequestException(response.StatusCode, "", MessageOf(text) ?? $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", null);
            }
            return JsonSerializer.Deserialize<T>(text, Json)
                ?? throw new QueueClientException($"GET {path}: the server answered an empty body");
        }
    }

    public void Dispose() => http.Dispose();

    private static string? MessageOf(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        }
        catch (JsonException)
        {
            return string.IsNullOrWhiteSpace(body) ? null : body;
        }
    }
}
