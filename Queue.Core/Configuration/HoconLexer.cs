using System.Globalization;
using System.Text;

namespace Queue.Core.Configuration;

/// <summary>Turns HOCON text into tokens. Comments are dropped; the newline ending them is kept.</summary>
internal sealed class HoconLexer
{
    // The HOCON spec reserves these so that future syntax can use them; an unquoted string
    // stops at any of them (and at whitespace or the start of a "//" comment).
    private const string ForbiddenInUnquoted = "$\"{}[]:=,+#`^?!@*&\\";

    private readonly string _text;
    private readonly string _source;
    private readonly List<HoconToken> _tokens = [];
    private int _index;
    private int _line = 1;
    private int _column = 1;

    private HoconLexer(string text, string source)
    {
        _text = text;
        _source = source;
    }

    public static List<HoconToken> Tokenize(string text, string source)
    {
        var lexer = new HoconLexer(text, source);
        lexer.Run();
        return lexer._tokens;
    }

    private void Run()
    {
        while (_index < _text.Length)
        {
            var c = _text[_index];
            var start = Position();
            switch (c)
            {
                case '\n':
                    Advance(1);
                    _tokens.Add(new(HoconTokenKind.Newline, "\n", start));
                    break;
                case '#':
                    SkipComment();
                    break;
                case '/' when Peek(1) == '/':
                    SkipComment();
                    break;
                case ',':
                    Single(HoconTokenKind.Comma, start);
                    break;
                case '{':
                    Single(HoconTokenKind.OpenBrace, start);
                    break;
                case '}':
                    Single(HoconTokenKind.CloseBrace, start);
                    break;
                case '[':
                    Single(HoconTokenKind.OpenBracket, start);
                    break;
                case ']':
                    Single(HoconTokenKind.CloseBracket, start);
                    break;
                case '=':
                case ':':
                    Single(HoconTokenKind.Separator, start);
                    break;
                case '+' when Peek(1) == '=':
                    Advance(2);
                    _tokens.Add(new(HoconTokenKind.PlusEquals, "+=", start));
                    break;
                case '"' when Peek(1) == '"' && Peek(2) == '"':
                    ReadTripleQuoted(start);
                    break;
                case '"':
                    ReadQuoted(start);
                    break;
                case '$' when Peek(1) == '{':
                    ReadSubstitution(start);
                    break;
                default:
                    if (IsWhitespace(c))
                    {
                        ReadWhitespace(start);
                    }
                    else if (ForbiddenInUnquoted.Contains(c))
                    {
                        throw new HoconException(start, $"unexpected character '{c}' (quote the value if it is part of a string)");
                    }
                    else
                    {
                        ReadUnquoted(start);
                    }

                    break;
            }
        }

        _tokens.Add(new(HoconTokenKind.Eof, "", Position()));
    }

    private static bool IsWhitespace(char c) => c != '\n' && (char.IsWhiteSpace(c) || c == '\uFEFF');

    private HoconPosition Position() => new(_source, _line, _column);

    private char Peek(int offset) => _index + offset < _text.Length ? _text[_index + offset] : '\0';

    private void Advance(int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (_text[_index] == '\n')
            {
                _line++;
                _column = 1;
            }
            else
            {
                _column++;
            }

            _index++;
        }
    }

    private void Single(HoconTokenKind kind, HoconPosition start)
    {
        _tokens.Add(new(kind, _text[_index].ToString(), start));
        Advance(1);
    }

    private void SkipComment()
    {
        while (_index < _text.Length && _text[_index] != '\n')
        {
            Advance(1);
        }
    }

    private void ReadWhitespace(HoconPosition start)
    {
        var from = _index;
        while (_index < _text.Length && IsWhitespace(_text[_index]))
        {
            Advance(1);
        }

        _tokens.Add(new(HoconTokenKind.Whitespace, _text[from.._index], start));
    }

    private void ReadUnquoted(HoconPosition start)
    {
        var from = _index;
        while (_index < _text.Length)
        {
            var c = _text[_index];
            if (c == '\n' || IsWhitespace(c) || ForbiddenInUnquoted.Contains(c) || (c == '/' && Peek(1) == '/'))
            {
                break;
            }

            Advance(1);
        }

        _tokens.Add(new(HoconTokenKind.UnquotedText, _text[from.._index], start));
    }

    private void ReadQuoted(HoconPosition start)
    {
        Advance(1);
        var value = new StringBuilder();
        while (true)
        {
            if (_index >= _text.Length || _text[_index] == '\n')
            {
                throw new HoconException(start, "unterminated string (a quoted string must end on the line it starts; use \"\"\" for multi-line text)");
            }

            var c = _text[_index];
            if (c == '"')
            {
                Advance(1);
                break;
            }

            if (c == '\\')
            {
                value.Append(ReadEscape());
                continue;
            }

            value.Append(c);
            Advance(1);
        }

        _tokens.Add(new(HoconTokenKind.QuotedString, value.ToString(), start));
    }

    private char ReadEscape()
    {
        var at = Position();
        var next = Peek(1);
        Advance(Math.Min(2, _text.Length - _index));
        switch (next)
        {
            case '"': return '"';
            case '\\': return '\\';
            case '/': return '/';
            case 'b': return '\b';
            case 'f': return '\f';
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            case 'u':
                if (_index + 4 <= _text.Length
                    && int.TryParse(_text.AsSpan(_index, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                {
                    Advance(4);
                    return (char)code;
                }

                throw new HoconException(at, "invalid \\u escape: expected four hex digits");
            default:
                throw new HoconException(at, $"invalid escape sequence '\\{next}' in quoted string");
        }
    }

    private void ReadTripleQuoted(HoconPosition start)
    {
        var contentStart = _index + 3;
        var close = _text.IndexOf("\"\"\"", contentStart, StringComparison.Ordinal);
        if (close < 0)
        {
            throw new HoconException(start, "unterminated triple-quoted string");
        }

        // Per the spec a run of more than three quotes ends the string with its last three,
        // so """a"""" is the text a".
        while (close + 3 < _text.Length && _text[close + 3] == '"')
        {
            close++;
        }

        var content = _text[contentStart..close];
        Advance(close + 3 - _index);
        _tokens.Add(new(HoconTokenKind.QuotedString, content, start));
    }

    private void ReadSubstitution(HoconPosition start)
    {
        Advance(2);
        var optional = false;
        if (Peek(0) == '?')
        {
            optional = true;
            Advance(1);
        }

        var from = _index;
        var inQuotes = false;
        while (true)
        {
            if (_index >= _text.Length || _text[_index] == '\n')
            {
                throw new HoconException(start, "unterminated substitution: missing '}'");
            }

            var c = _text[_index];
            if (c == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (c == '\\' && inQuotes)
            {
                Advance(1);
            }
            else if (c == '}' && !inQuotes)
            {
                break;
            }

            Advance(1);
        }

        var path = _text[from.._index].Trim();
        Advance(1);
        if (path.Length == 0)
        {
            throw new HoconException(start, "empty substitution '${}'");
        }

        _tokens.Add(new(HoconTokenKind.Substitution, path, start, optional));
    }
}
