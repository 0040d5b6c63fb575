namespace Queue.Core.Configuration;

/// <summary>
/// A bracket-and-quote check run before Akka's HOCON parser. That parser silently accepts an
/// unclosed '{' or string, and loops for ever on a '}' inside an unclosed '[', so a typo in a
/// --config file would otherwise start a node with half its settings, or hang it. This is not a
/// parser: it only tracks comments, quoted strings and nesting, and reports the first mismatch
/// with its line and column.
/// </summary>
internal static class ConfigTextCheck
{
    /// <exception cref="ArgumentException">Unbalanced brackets or an unterminated string.</exception>
    public static void ThrowIfMalformed(string text, string source)
    {
        var open = new Stack<(char Bracket, int Line, int Column)>();
        int line = 1, column = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            Advance(c, ref line, ref column);
            if (c == '#' || (c == '/' && At(text, i + 1) == '/'))
            {
                // A comment runs to the end of the line.
                while (i + 1 < text.Length && text[i + 1] != '\n')
                {
                    i++;
                }
            }
            else if (c == '"' && At(text, i + 1) == '"' && At(text, i + 2) == '"')
            {
                var (startLine, startColumn) = (line, column);
                var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw Error(source, startLine, startColumn, "a \"\"\" string is never closed");
                }
                for (i++; i < end + 3; i++)
                {
                    Advance(text[i], ref line, ref column);
                }
                // HOCON lets a triple-quoted string end with extra quotes ("""a"""" is a").
                while (At(text, i) == '"')
                {
                    Advance(text[i++], ref line, ref column);
                }
                i--;
            }
            else if (c == '"')
            {
                var (startLine, startColumn) = (line, column);
                for (i++; ; i++)
                {
                    if (i >= text.Length || text[i] == '\n')
                    {
                        throw Error(source, startLine, startColumn, "a quoted string is not closed on its line");
                    }
                    Advance(text[i], ref line, ref column);
                    if (text[i] == '\\')
                    {
                        i++;
                        if (i < text.Length)
                        {
                            Advance(text[i], ref line, ref column);
                        }
                    }
                    else if (text[i] == '"')
                    {
                        break;
                    }
                }
            }
            else if (c is '{' or '[')
            {
                open.Push((c, line, column));
            }
            else if (c == '$' && At(text, i + 1) == '{')
            {
                open.Push(('$', line, column));
                Advance(text[++i], ref line, ref column);
            }
            else if (c is '}' or ']')
            {
                if (open.Count == 0)
                {
                    throw Error(source, line, column, $"'{c}' closes nothing");
                }
                var (bracket, openLine, openColumn) = open.Pop();
                var expected = bracket == '[' ? ']' : '}';
                if (c != expected)
                {
                    throw Error(source, line, column, $"'{c}' found where '{expected}' closes the '{(bracket == '$' ? "${" : bracket)}' at line {openLine}, column {openColumn}");
                }
            }
        }
        if (open.TryPeek(out var unclosed))
        {
            throw Error(source, unclosed.Line, unclosed.Column, $"'{(unclosed.Bracket == '$' ? "${" : unclosed.Bracket)}' is never closed");
        }
    }

    private static char At(string text, int index) => index < text.Length ? text[index] : '\0';

    private static void Advance(char c, ref int line, ref int column)
    {
        if (c == '\n')
        {
            line++;
            column = 0;
        }
        else
        {
            column++;
        }
    }

    private static ArgumentException Error(string source, int line, int column, string what) =>
        new($"{source}: line {line}, column {column}: {what}");
}
