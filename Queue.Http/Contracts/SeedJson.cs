using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Queue.Http.Contracts;

/// <summary>
/// The serializer for API responses. Relaxed escaping keeps messages readable ("Topic 'T1'"
/// rather than "Topic \u0027T1\u0027"); that is safe because these bodies are JSON documents,
/// never inlined into HTML.
/// </summary>
public static class SeedJson
{
    public static SeedJsonContext Context { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });
}
