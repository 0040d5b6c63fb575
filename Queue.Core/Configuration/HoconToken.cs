namespace Queue.Core.Configuration;

/// <summary>
/// One lexical token. <see cref="Text"/> is the decoded content for strings, the raw text for
/// unquoted text and whitespace, and the path expression for substitutions.
/// </summary>
internal readonly record struct HoconToken(HoconTokenKind Kind, string Text, HoconPosition Position, bool Optional = false)
{
    public string Describe() => Kind switch
    {
        HoconTokenKind.Eof => "end of input",
        HoconTokenKind.Newline => "end of line",
        HoconTokenKind.Whitespace => "whitespace",
        HoconTokenKind.QuotedString => $"string \"{Text}\"",
        HoconTokenKind.UnquotedText => $"'{Text}'",
        HoconTokenKind.Substitution => Optional ? $"${{?{Text}}}" : $"${{{Text}}}",
        _ => $"'{Text}'",
    };
}
