namespace Queue.Core.Configuration;

/// <summary>
/// Builds one configuration from several HOCON documents layered in order (later ones win, objects
/// merge, arrays and scalars replace) and resolves substitutions across all of them at the end,
/// so a user file can refer to defaults from reference.conf and vice versa.
/// </summary>
public sealed class HoconLoader
{
    /// <summary>Logical name of the embedded defaults in the Queue.Core assembly.</summary>
    public const string ReferenceResourceName = "reference.conf";

    private readonly HoconOptions _options;
    private readonly HoconObject _root = new(new HoconPosition("(root)", 1, 1));

    public HoconLoader(HoconOptions? options = null)
    {
        _options = options ?? new HoconOptions();
    }

    /// <summary>Parses and resolves a single document.</summary>
    public static HoconObject Parse(string text, string sourceName = "inline", HoconOptions? options = null) =>
        new HoconLoader(options).AddText(text, sourceName).Resolve();

    public HoconLoader AddText(string text, string sourceName = "inline") => AddDocument(new HoconDocument(sourceName, text));

    public HoconLoader AddDocument(HoconDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        HoconParser.ParseInto(document, _root, _options.IncludeResolver);
        return this;
    }

    /// <summary>Adds a file; a missing optional file is skipped, a missing required one throws <see cref="FileNotFoundException"/>.</summary>
    public HoconLoader AddFile(string path, bool optional = false)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            return optional ? this : throw new FileNotFoundException($"HOCON configuration file '{fullPath}' was not found.", fullPath);
        }

        return AddDocument(new HoconDocument(fullPath, File.ReadAllText(fullPath)));
    }

    /// <summary>Adds the reference.conf embedded in Queue.Core: every key the node reads, with its default.</summary>
    public HoconLoader AddReference()
    {
        using var stream = typeof(HoconLoader).Assembly.GetManifestResourceStream(ReferenceResourceName)
            ?? throw new InvalidOperationException($"Embedded resource '{ReferenceResourceName}' is missing from {typeof(HoconLoader).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return AddDocument(new HoconDocument(ReferenceResourceName, reader.ReadToEnd()));
    }

    /// <summary>Resolves substitutions over everything added so far. The loader stays usable for more layers.</summary>
    public HoconObject Resolve() => HoconResolver.Resolve(_root, _options.Environment);
}
