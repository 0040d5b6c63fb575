using System.Text;

namespace Queue.Core.Configuration;

/// <summary>
/// Path expressions (<c>a.b."c.d"</c>): dots in unquoted text split segments, dots inside quotes
/// do not. Used for keys and for substitutions so both read a path the same way.
/// </summary>
internal static class HoconPath
{
    public static IReadOnlyList<string> Parse(string text, HoconPosition position)
    {
        List<HoconToken> tokens;
        try
        {
            tokens = HoconLexer.Tokenize(text, position.Source);
        }
        catch (HoconException e)
        {
            throw new HoconException(position, $"invalid path expression '{text}': {e.Detail}", e);
        }

        tokens.RemoveAt(tokens.Count - 1);
        foreach (var token in tokens)
        {
            if (token.Kind is not (HoconTokenKind.UnquotedText or HoconTokenKind.QuotedString or HoconTokenKind.Whitespace))
            {
                throw new HoconException(position, $"invalid path expression '{text}': unexpected {token.Describe()}");
            }
        }

        return FromTokens(tokens, position);
    }

    /// <summary>Builds a path from key tokens (unquoted text, quoted strings, whitespace between them).</summary>
    public static IReadOnlyList<string> FromTokens(IReadOnlyList<HoconToken> tokens, HoconPosition position)
    {
        var first = 0;
        var last = tokens.Count - 1;
        while (first <= last && tokens[first].Kind == HoconTokenKind.Whitespace)
        {
            first++;
        }

        while (last >= first && tokens[last].Kind == HoconTokenKind.Whitespace)
        {
            last--;
        }

        if (first > last)
        {
            throw new HoconException(position, "missing key");
        }

        var segments = new List<string>();
        var current = new StringBuilder();
        var currentHasText = false;
        for (var i = first; i <= last; i++)
        {
            var token = tokens[i];
            if (token.Kind != HoconTokenKind.UnquotedText)
            {
                current.Append(token.Text);
                currentHasText |= token.Kind == HoconTokenKind.QuotedString;
                continue;
            }

            var pieces = token.Text.Split('.');
            for (var p = 0; p < pieces.Length; p++)
            {
                if (p > 0)
                {
                    Close(segments, current, currentHasText, tokens, first, last, position);
                    current.Clear();
                    currentHasText = false;
                }

                current.Append(pieces[p]);
                currentHasText |= pieces[p].Length > 0;
            }
        }

        Close(segments, current, currentHasText, tokens, first, last, position);
        return segments;
    }

    public static string Render(IEnumerable<string> segments) =>
        string.Join('.', segments.Select(s => NeedsQuotes(s) ? $"\"{s.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"" : s));

    private static void Close(
        List<string> segments, StringBuilder current, bool hasText, IReadOnlyList<HoconToken> tokens, int first, int last, HoconPosition position)
    {
        // "a..b", ".a" and "a." have an empty segment, which the spec rejects; "" quoted is a real (empty) key.
        if (!hasText)
        {
            var written = string.Concat(tokens.Skip(first).Take(last - first + 1).Select(t => t.Kind == HoconTokenKind.QuotedString ? $"\"{t.Text}\"" : t.Text));
            throw new HoconException(position, $"invalid key '{written}': empty path segment (quote keys that contain dots)");
        }

        segments.Add(current.ToString());
    }

    private static bool NeedsQuotes(string segment) =>
        segment.Length == 0 || segment.Any(c => c == '.' || char.IsWhiteSpace(c) || "$\"{}[]:=,+#`^?!@*&\\/".Contains(c));
}
