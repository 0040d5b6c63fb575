using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Queue.Core.Edge;

namespace Queue.Http.Endpoints;

/// <summary>
/// The input of one seed-API call, gathered leniently the way the assignments' clients send it:
/// query string, form body or JSON body (GET requests included), under any of the seeds' field
/// spellings, with numbers as JSON numbers or numeric strings. A JSON body wins over the form,
/// which wins over the query string. Lenient is not careless: a JSON boolean, object or array
/// where text or a number belongs, and a field that looks like a partition under a spelling we
/// do not know, are refused (400) rather than taken as text or ignored.
/// </summary>
internal sealed class RequestFields
{
    private static readonly string[] TopicNames = ["topic_name", "name", "topic"];
    /// <summary>The partition's accepted spellings (README, docs/api-v1.md and the OpenAPI document list them too).</summary>
    public static IReadOnlyList<string> PartitionNames { get; } = ["partition", "partition_id", "partition_index", "partition_number", "part"];

    private readonly Dictionary<string, string?> _values;

    // Fields that came as JSON of a kind no field of ours takes (boolean, object, array). Kept
    // aside, not refused at once: a field the endpoint never reads stays ignored, as before.
    private readonly Dictionary<string, JsonValueKind> _untyped;

    private RequestFields(Dictionary<string, string?> values, Dictionary<string, JsonValueKind> untyped)
    {
        _values = values;
        _untyped = untyped;
    }

    public static async Task<RequestFields> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var untyped = new Dictionary<string, JsonValueKind>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in request.Query)
        {
            values[key] = value.ToString();
        }
        if (request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(cancellationToken);
            }
            catch (InvalidDataException ex)
            {
                // The form reader's own limits (key length, field count, value length) are the
                // client's mistake, not the server's.
                throw Bad($"Unreadable form body: {ex.Message}");
            }
            foreach (var (key, value) in form)
            {
                values[key] = value.ToString();
            }
        }
        else if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            await ReadJsonAsync(request, values, untyped, cancellationToken);
        }
        return new RequestFields(values, untyped);
    }

    public string? Topic => First(TopicNames, "a string");

    public string RequireTopic() => Topic is { Length: > 0 } topic
        ? topic
        : throw Bad("Missing field 'topic_name' (also accepted: 'name', 'topic')");

    /// <summary>
    /// The partition, under any of <see cref="PartitionNames"/>. Any other field whose name starts
    /// with "part" (partition_no, partitionId, part_id...) is refused: ignoring it would send the
    /// request to a partition the client did not ask for.
    /// </summary>
    public int? Partition
    {
        get
        {
            foreach (var name in _values.Keys.Concat(_untyped.Keys))
            {
                if (name.StartsWith("part", StringComparison.OrdinalIgnoreCase) && !PartitionNames.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    throw Bad($"Unknown field '{name}': the partition is spelled {string.Join(", ", PartitionNames.Select(n => $"'{n}'"))}");
                }
            }
            return OptionalInt(PartitionNames, "partition");
        }
    }

    public string? Text(string name) => First([name], "a string");

    public string RequireText(string name) => Text(name) ?? throw Bad($"Missing field '{name}'");

    public long RequireId(string name)
    {
        var text = First([name], "an integer");
        if (string.IsNullOrEmpty(text))
        {
            throw Bad($"Missing field '{name}'");
        }
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) || id < 0)
        {
            throw Bad($"Field '{name}' must be a non-negative integer, got '{text}'");
        }
        return id;
    }

    public int? OptionalInt(IReadOnlyList<string> names, string label)
    {
        var text = First(names, "an integer");
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw Bad($"Field '{label}' must be an integer, got '{text}'");
        }
        return value;
    }

    /// <param name="expected">What the field must be, for the refusal of a boolean, object or array.</param>
    private string? First(IReadOnlyList<string> names, string expected)
    {
        foreach (var name in names)
        {
            if (_untyped.TryGetValue(name, out var kind))
            {
                throw Bad($"Field '{name}' must be {expected}, got {KindName(kind)}");
            }
            if (_values.TryGetValue(name, out var value) && value is not null)
            {
                return value;
            }
        }
        return null;
    }

    private static string KindName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static async Task ReadJsonAsync(
        HttpRequest request, Dictionary<string, string?> values, Dictionary<string, JsonValueKind> untyped, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw Bad($"Malformed JSON body: {ex.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Bad($"The JSON body must be an object, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            }
            try
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    switch (property.Value.ValueKind)
                    {
                        case JsonValueKind.String:
                            values[property.Name] = property.Value.GetString();
                            untyped.Remove(property.Name);
                            break;
                        case JsonValueKind.Number:
                            values[property.Name] = property.Value.GetRawText();
                            untyped.Remove(property.Name);
                            break;
                        case JsonValueKind.Null:
                            values[property.Name] = null;
                            untyped.Remove(property.Name);
                            break;
                        default:
                            // The body wins over the form and the query string, so a typed-wrong
                            // field must hide theirs rather than fall back to them.
                            values.Remove(property.Name);
                            untyped[property.Name] = property.Value.ValueKind;
                            break;
                    }
                }
            }
            catch (InvalidOperationException ex)
            {
                // Well-formed JSON may still escape text that is not Unicode (a lone surrogate,
                // "\ud800"); the parser accepts it and only reading the string fails.
                throw Bad($"The JSON body holds text that is not valid Unicode: {ex.Message}");
            }
        }
    }

    internal static QueueException Bad(string message) => new(QueueErrorKind.BadRequest, message);
}
