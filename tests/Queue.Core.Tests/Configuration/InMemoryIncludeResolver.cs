using Queue.Core.Configuration;

namespace Queue.Core.Tests.Configuration;

/// <summary>Include resolver over a dictionary of "files", with '/'-separated paths relative to the includer.</summary>
internal sealed class InMemoryIncludeResolver(Dictionary<string, string> files) : IHoconIncludeResolver
{
    public List<(string Includer, string Name)> Requests { get; } = [];

    public HoconDocument? Resolve(string includerName, string name)
    {
        Requests.Add((includerName, name));
        var slash = includerName.LastIndexOf('/');
        var path = slash < 0 ? name : includerName[..(slash + 1)] + name;
        return files.TryGetValue(path, out var text) ? new HoconDocument(path, text) : null;
    }
}
