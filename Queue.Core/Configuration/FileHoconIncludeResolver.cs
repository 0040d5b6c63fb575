namespace Queue.Core.Configuration;

/// <summary>
/// Resolves includes as files relative to the directory of the including file; documents that are
/// not files (inline text, the embedded reference) include relative to the working directory.
/// </summary>
public sealed class FileHoconIncludeResolver : IHoconIncludeResolver
{
    public HoconDocument? Resolve(string includerName, string name)
    {
        var baseDirectory = Path.IsPathRooted(includerName) ? Path.GetDirectoryName(includerName) ?? "" : "";
        var path = Path.GetFullPath(Path.Combine(baseDirectory, name));
        return File.Exists(path) ? new HoconDocument(path, File.ReadAllText(path)) : null;
    }
}
