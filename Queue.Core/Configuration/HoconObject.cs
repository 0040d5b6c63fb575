namespace Queue.Core.Configuration;

/// <summary>An object; fields keep the order in which they were first defined. Keys are case-sensitive.</summary>
public sealed class HoconObject : HoconValue
{
    private readonly OrderedDictionary<string, HoconValue> _fields = new(StringComparer.Ordinal);

    internal HoconObject(HoconPosition position)
        : base(position)
    {
    }

    public IReadOnlyDictionary<string, HoconValue> Fields => _fields;

    public IEnumerable<string> Keys => _fields.Keys;

    public int Count => _fields.Count;

    public HoconValue? this[string key] => _fields.GetValueOrDefault(key);

    /// <summary>Follows a path expression such as <c>queue.http.port</c>; null when any step is missing.</summary>
    public HoconValue? Find(string path)
    {
        HoconValue? current = this;
        foreach (var segment in HoconPath.Parse(path, new HoconPosition("path", 1, 1)))
        {
            if (current is not HoconObject obj)
            {
                return null;
            }

            current = obj[segment];
        }

        return current;
    }

    /// <summary>The text of the scalar at <paramref name="path"/>; null when absent or not a scalar.</summary>
    public string? GetString(string path) => (Find(path) as HoconScalar)?.Text;

    internal void Set(string key, HoconValue value) => _fields[key] = value;
}
