using System.Text.RegularExpressions;

namespace Queue.Core.Configuration;

/// <summary>
/// A string, number, boolean or null. <see cref="Text"/> is always the literal as written
/// (unquoted), so "10m" or "1MiB" reach the caller untouched and are interpreted where they are used.
/// </summary>
public sealed partial class HoconScalar : HoconValue
{
    internal HoconScalar(HoconScalarKind kind, string text, HoconPosition position, bool isWhitespace = false)
        : base(position)
    {
        Kind = kind;
        Text = text;
        IsWhitespace = isWhitespace;
    }

    public HoconScalarKind Kind { get; }

    public string Text { get; }

    /// <summary>Whitespace between the parts of a concatenation; kept only while it may join strings.</summary>
    internal bool IsWhitespace { get; }

    /// <summary>Classifies a lone unquoted token the way JSON would read it.</summary>
    internal static HoconScalar FromUnquoted(string text, HoconPosition position) => text switch
    {
        "true" or "false" => new(HoconScalarKind.Boolean, text, position),
        "null" => new(HoconScalarKind.Null, text, position),
        _ when NumberPattern().IsMatch(text) => new(HoconScalarKind.Number, text, position),
        _ => new(HoconScalarKind.String, text, position),
    };

    public override string ToString() => Text;

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE]-?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();
}
