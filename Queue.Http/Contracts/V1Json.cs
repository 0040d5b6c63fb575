using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Queue.Http.Contracts;

/// <summary>
/// The serializer for /v1 bodies: snake_case, nulls left out, numbers also accepted as strings
/// (clients in loosely typed languages send them so). Relaxed escaping as in <see cref="SeedJson"/>.
/// </summary>
public static class V1Json
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public static V1JsonContext Context { get; } = new(Options);
}
