using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Queue.Core.Edge;

namespace Queue.Http.Endpoints;

/// <summary>
/// The input of one seed-API call, gathered leniently the way the assignments' clients send it:
/// query string, form body or JSON body (GET requests included), under any of the seeds' field
/// spellings, with numbers as JSON numbers or numeric strings. A JSON body wins over the form,
/// which wins over the query string.
/// </summary>
internal sealed class RequestFields
{
    private static readonly string[] TopicNames = ["topic_name", "name", "topic"];
    private static readonly string[] PartitionNames = ["partition", "partition_id", "partition_index", "part"];

    private readonly Dictionary<string, string?> _values;

    private RequestFields(Dictionary<string, string?> values) => _values = values;

    public static async Task<RequestFields> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
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
            await ReadJsonAsync(request, values, cancellationToken);
        }
        return new RequestFields(values);
    }

    public string? Topic => First(TopicNames);

    public string RequireTopic() => Topic is { Length: > 0 } topic
        ? topic
        : throw Bad("Missing field 'topic_name' (also accepted: 'name', 'topic')");

    public int? Partition => OptionalInt(PartitionNames, "partition");

    public string? Text(string name) => _values.GetValueOrDefault(name);

    public string RequireText(string name) =>
        _values.GetValueOrDefault(name) ?? throw Bad($"Missing field '{name}'");

    public long RequireId(string name)
    {
        var text = _values.GetValueOrDefault(name);
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
        var text = First(names);
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

    private string? First(IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            if (_values.TryGetValue(name, out var value) && value is not null)
            {
                return value;
            }
        }
        return null;
    }

    private static async Task ReadJsonAsync(HttpRequest request, Dictionary<string, string?> values, CancellationToken cancellationToken)
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
                    values[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Number => property.Value.GetRawText(),
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        JsonValueKind.Null => null,
                        _ => throw Bad($"Field '{property.Name}' must be a string or a number, not {property.Value.ValueKind.ToString().ToLowerInvariant()}"),
                    };
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
