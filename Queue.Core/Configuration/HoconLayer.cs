namespace Queue.Core.Configuration;

/// <summary>One document of a <see cref="HoconConfigurationSource"/>: a file, inline text or the embedded reference.conf.</summary>
public abstract class HoconLayer
{
    private protected HoconLayer(string description)
    {
        Description = description;
    }

    public string Description { get; }

    /// <summary>
    /// A file, its path made absolute now so that a later change of working directory does not
    /// change which file a reload reads.
    /// </summary>
    public static HoconLayer File(string path, bool optional = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new FileLayer(Path.GetFullPath(path), optional);
    }

    public static HoconLayer Text(string text, string sourceName = "inline")
    {
        ArgumentNullException.ThrowIfNull(text);
        return new TextLayer(text, sourceName);
    }

    /// <summary>The reference.conf embedded in Queue.Core.</summary>
    public static HoconLayer Reference() => new ReferenceLayer();

    public override string ToString() => Description;

    internal abstract void AddTo(HoconLoader loader);

    private sealed class FileLayer(string path, bool optional) : HoconLayer(optional ? $"{path} (optional)" : path)
    {
        internal override void AddTo(HoconLoader loader) => loader.AddFile(path, optional);
    }

    private sealed class TextLayer(string text, string sourceName) : HoconLayer(sourceName)
    {
        internal override void AddTo(HoconLoader loader) => loader.AddText(text, Description);
    }

    private sealed class ReferenceLayer() : HoconLayer(HoconLoader.ReferenceResourceName)
    {
        internal override void AddTo(HoconLoader loader) => loader.AddReference();
    }
}
