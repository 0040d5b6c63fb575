namespace Queue.Core.Configuration;

internal enum HoconTokenKind
{
    Eof,
    Newline,
    Whitespace,
    Comma,
    OpenBrace,
    CloseBrace,
    OpenBracket,
    CloseBracket,

    /// <summary>'=' or ':'; HOCON treats them the same.</summary>
    Separator,
    PlusEquals,
    QuotedString,
    UnquotedText,
    Substitution,
}
