using System.Collections.Immutable;
using System.Text;

namespace Queue.Core.Configuration;

/// <summary>
/// Reads the tokens of one document straight into the tree being built, so that a field written
/// again later (in the same file, an include or a later layer) lands on the earlier value.
/// </summary>
internal sealed class HoconParser
{
    private static readonly ImmutableArray<string> IncludeQualifiers = ["required(", "file(", "classpath(", "url("];

    private readonly List<HoconToken> _tokens;
    private readonly HoconDocument _document;
    private readonly IHoconIncludeResolver _includes;
    private readonly List<string> _includeChain;
    private int _index;

    private HoconParser(HoconDocument document, IHoconIncludeResolver includes, List<string> includeChain)
    {
        _document = document;
        _tokens = HoconLexer.Tokenize(document.Text, document.Name);
        _includes = includes;
        _includeChain = includeChain;
    }

    /// <summary>Parses <paramref name="document"/> and merges its fields into <paramref name="root"/>.</summary>
    public static void ParseInto(HoconDocument document, HoconObject root, IHoconIncludeResolver includes) =>
        ParseInto(document, root, [], includes, [document.Name]);

    private static void ParseInto(
        HoconDocument document, HoconObject target, IReadOnlyList<string>? prefix, IHoconIncludeResolver includes, List<string> chain) =>
        new HoconParser(document, includes, chain).ParseDocument(target, prefix);

    private HoconToken Peek(int offset = 0) => _tokens[Math.Min(_index + offset, _tokens.Count - 1)];

    private HoconToken Next()
    {
        var token = Peek();
        if (_index < _tokens.Count - 1)
        {
            _index++;
        }

        return token;
    }

    private void SkipWhitespace()
    {
        while (Peek().Kind == HoconTokenKind.Whitespace)
        {
            _index++;
        }
    }

    private void SkipWhitespaceAndNewlines()
    {
        while (Peek().Kind is HoconTokenKind.Whitespace or HoconTokenKind.Newline)
        {
            _index++;
        }
    }

    private void ParseDocument(HoconObject target, IReadOnlyList<string>? prefix)
    {
        SkipWhitespaceAndNewlines();
        var first = Peek();
        if (first.Kind == HoconTokenKind.OpenBracket)
        {
            throw new HoconException(first.Position, "the root of a document must be an object, not an array");
        }

        if (first.Kind != HoconTokenKind.OpenBrace)
        {
            ParseObjectBody(target, prefix, open: null);
            return;
        }

        ParseObjectBody(target, prefix, Next());
        SkipWhitespaceAndNewlines();
        var trailing = Peek();
        if (trailing.Kind != HoconTokenKind.Eof)
        {
            throw new HoconException(trailing.Position, $"unexpected {trailing.Describe()} after the closing '}}' of the root object");
        }
    }

    /// <summary>Fields up to the '}' matching <paramref name="open"/>, or to the end of input for a brace-less root.</summary>
    private void ParseObjectBody(HoconObject target, IReadOnlyList<string>? prefix, HoconToken? open)
    {
        while (true)
        {
            SkipWhitespaceAndNewlines();
            var token = Peek();
            switch (token.Kind)
            {
                case HoconTokenKind.CloseBrace when open is null:
                    throw new HoconException(token.Position, "unbalanced braces: '}' has no matching '{'");
                case HoconTokenKind.CloseBrace:
                    Next();
                    return;
                case HoconTokenKind.Eof when open is { } o:
                    throw new HoconException(
                        token.Position,
                        $"unbalanced braces: end of input before the '}}' that closes the '{{' at line {o.Position.Line}, column {o.Position.Column}");
                case HoconTokenKind.Eof:
                    return;
                case HoconTokenKind.Comma:
                    throw new HoconException(token.Position, "unexpected ',' (expected a key)");
            }

            var what = IsInclude() ? ParseInclude(target, prefix) : ParseField(target, prefix);

            SkipWhitespace();
            var after = Peek();
            switch (after.Kind)
            {
                case HoconTokenKind.Comma:
                    Next();
                    break;
                case HoconTokenKind.Newline or HoconTokenKind.CloseBrace or HoconTokenKind.Eof:
                    break;
                case HoconTokenKind.Separator or HoconTokenKind.PlusEquals:
                    throw new HoconException(
                        after.Position, $"unexpected {after.Describe()} in {what} (quote values that contain ':' or '=')");
                default:
                    throw new HoconException(after.Position, $"expected ',' or a new line after {what}, found {after.Describe()}");
            }
        }
    }

    /// <summary>Parses one field; returns a description of it for error messages.</summary>
    private string ParseField(HoconObject target, IReadOnlyList<string>? prefix)
    {
        var keyStart = Peek();
        var keyTokens = new List<HoconToken>();

        // The spec would also join "a b c" into one key, but then a forgotten '=' in "port 8001"
        // reads as the key "port 8001" and the error lands at the end of the line; a key is
        // therefore only quoted and unquoted text written without spaces (a."b.c".d).
        while (Peek().Kind is HoconTokenKind.UnquotedText or HoconTokenKind.QuotedString)
        {
            keyTokens.Add(Next());
        }

        if (keyTokens.Count == 0)
        {
            var detail = keyStart.Kind == HoconTokenKind.Substitution
                ? "substitutions are not allowed in keys"
                : $"expected a key, found {keyStart.Describe()}";
            throw new HoconException(keyStart.Position, detail);
        }

        var path = HoconPath.FromTokens(keyTokens, keyStart.Position);
        var keyText = HoconPath.Render(path);
        SkipWhitespace();
        var separator = Peek();
        var append = false;
        switch (separator.Kind)
        {
            case HoconTokenKind.OpenBrace:
                break;
            case HoconTokenKind.Separator:
                Next();
                SkipWhitespace();
                break;
            case HoconTokenKind.PlusEquals:
                Next();
                SkipWhitespace();
                append = true;
                break;
            default:
                throw new HoconException(keyStart.Position, $"expected '=' or ':' after key '{keyText}', found {separator.Describe()}");
        }

        var parent = target;
        var parentPath = prefix;
        for (var i = 0; i < path.Count - 1; i++)
        {
            parent = HoconTreeWriter.EnsureObject(parent, path[i], keyStart.Position);
            parentPath = parentPath is null ? null : [.. parentPath, path[i]];
        }

        var key = path[^1];
        IReadOnlyList<string>? fieldPath = parentPath is null ? null : [.. parentPath, key];
        var what = $"the value of '{keyText}'";

        if (append)
        {
            // a += b means a = ${?a} [b], with ${?a} meaning a's value before this line.
            var element = ParseValue(what);
            var previous = new HoconSubstitution(fieldPath ?? [key], keyText, optional: true, separator.Position);
            previous.BindPrior(parent[key]);
            parent.Set(key, new HoconConcatenation([previous, new HoconArray([element], element.Position)], separator.Position));
            return what;
        }

        if (Peek().Kind == HoconTokenKind.OpenBrace)
        {
            // Written straight into the existing object so that self-references and repeated keys
            // inside it see the earlier values at their full path.
            var destination = HoconTreeWriter.EnsureObject(parent, key, Peek().Position);
            ParseObjectBody(destination, fieldPath, Next());
            if (!NextStartsValueOnThisLine())
            {
                return what;
            }

            SkipWhitespace();
        }

        HoconTreeWriter.SetField(parent, key, ParseValue(what), fieldPath);
        return what;
    }

    private bool NextStartsValueOnThisLine()
    {
        var offset = 0;
        while (Peek(offset).Kind == HoconTokenKind.Whitespace)
        {
            offset++;
        }

        return StartsValue(Peek(offset).Kind);
    }

    private static bool StartsValue(HoconTokenKind kind) => kind is HoconTokenKind.QuotedString or HoconTokenKind.UnquotedText
        or HoconTokenKind.Substitution or HoconTokenKind.OpenBrace or HoconTokenKind.OpenBracket;

    /// <summary>A value and whatever is concatenated to it on the same line.</summary>
    private HoconValue ParseValue(string what)
    {
        var parts = new List<HoconValue>();
        HoconToken? pendingSpace = null;
        while (true)
        {
            var token = Peek();
            if (token.Kind == HoconTokenKind.Whitespace)
            {
                Next();
                pendingSpace = parts.Count > 0 ? token : null;
                continue;
            }

            if (!StartsValue(token.Kind))
            {
                if (parts.Count == 0)
                {
                    throw new HoconException(token.Position, $"missing {what}, found {token.Describe()}");
                }

                return Combine(parts);
            }

            if (pendingSpace is { } space)
            {
                parts.Add(new HoconScalar(HoconScalarKind.String, space.Text, space.Position, isWhitespace: true));
                pendingSpace = null;
            }

            parts.Add(ParseSingleValue());
        }
    }

    private HoconValue ParseSingleValue()
    {
        var token = Peek();
        switch (token.Kind)
        {
            case HoconTokenKind.OpenBrace:
                var obj = new HoconObject(token.Position);
                ParseObjectBody(obj, prefix: null, Next());
                return obj;
            case HoconTokenKind.OpenBracket:
                return ParseArray();
            case HoconTokenKind.Substitution:
                Next();
                return new HoconSubstitution(HoconPath.Parse(token.Text, token.Position), token.Text, token.Optional, token.Position);
            case HoconTokenKind.QuotedString:
                Next();
                return new HoconScalar(HoconScalarKind.String, token.Text, token.Position);
            default:
                Next();
                return HoconScalar.FromUnquoted(token.Text, token.Position);
        }
    }

    private static HoconValue Combine(List<HoconValue> parts)
    {
        if (parts.Count == 1)
        {
            return parts[0];
        }

        if (parts.All(p => p is HoconScalar))
        {
            var text = new StringBuilder();
            foreach (var part in parts)
            {
                text.Append(((HoconScalar)part).Text);
            }

            return new HoconScalar(HoconScalarKind.String, text.ToString(), parts[0].Position);
        }

        return new HoconConcatenation(parts, parts[0].Position);
    }

    private HoconArray ParseArray()
    {
        var open = Next();
        var items = new List<HoconValue>();
        while (true)
        {
            SkipWhitespaceAndNewlines();
            var token = Peek();
            switch (token.Kind)
            {
                case HoconTokenKind.CloseBracket:
                    Next();
                    return new HoconArray(items, open.Position);
                case HoconTokenKind.Eof:
                    throw new HoconException(
                        token.Position,
                        $"unbalanced brackets: end of input before the ']' that closes the '[' at line {open.Position.Line}, column {open.Position.Column}");
                case HoconTokenKind.Comma:
                    throw new HoconException(token.Position, "unexpected ',' in array (expected a value)");
            }

            items.Add(ParseValue("array element"));
            SkipWhitespace();
            var after = Peek();
            switch (after.Kind)
            {
                case HoconTokenKind.Comma:
                    Next();
                    break;
                case HoconTokenKind.Newline or HoconTokenKind.CloseBracket or HoconTokenKind.Eof:
                    break;
                default:
                    throw new HoconException(
                        after.Position,
                        $"expected ',' or ']' after array element, found {after.Describe()} (the '[' at line {open.Position.Line}, column {open.Position.Column} is still open)");
            }
        }
    }

    private bool IsInclude()
    {
        if (Peek() is not { Kind: HoconTokenKind.UnquotedText, Text: "include" } || Peek(1).Kind != HoconTokenKind.Whitespace)
        {
            return false;
        }

        var target = Peek(2);
        return target.Kind == HoconTokenKind.QuotedString
            || (target.Kind == HoconTokenKind.UnquotedText && IncludeQualifiers.Any(q => target.Text.StartsWith(q, StringComparison.Ordinal)));
    }

    private string ParseInclude(HoconObject target, IReadOnlyList<string>? prefix)
    {
        var keyword = Next();
        SkipWhitespace();
        var token = Next();
        var name = token.Text;
        if (token.Kind == HoconTokenKind.UnquotedText)
        {
            name = ParseIncludeQualifiers(token);
        }

        var document = _includes.Resolve(_document.Name, name)
            ?? throw new HoconException(keyword.Position, $"include not found: \"{name}\"");
        if (_includeChain.Contains(document.Name, StringComparer.Ordinal))
        {
            throw new HoconException(
                keyword.Position, $"cyclic include: {string.Join(" -> ", _includeChain)} -> {document.Name}");
        }

        _includeChain.Add(document.Name);
        ParseInto(document, target, prefix, _includes, _includeChain);
        _includeChain.RemoveAt(_includeChain.Count - 1);
        return $"include \"{name}\"";
    }

    /// <summary>
    /// <c>file("x")</c>, <c>classpath("x")</c> and <c>required(...)</c> around them. The lexer hands
    /// "required(file(" over as one unquoted token, since parentheses are ordinary characters in HOCON.
    /// </summary>
    private string ParseIncludeQualifiers(HoconToken opening)
    {
        var rest = opening.Text;
        var depth = 0;
        while (rest.Length > 0)
        {
            var next = IncludeQualifiers.FirstOrDefault(q => rest.StartsWith(q, StringComparison.Ordinal))
                ?? throw new HoconException(opening.Position, $"malformed include: expected a quoted name, found '{rest}'");
            if (next == "url(")
            {
                throw new HoconException(opening.Position, "include url(...) is not supported");
            }

            rest = rest[next.Length..];
            depth++;
        }

        SkipWhitespace();
        var name = Next();
        if (name.Kind != HoconTokenKind.QuotedString)
        {
            throw new HoconException(name.Position, $"malformed include: expected a quoted name, found {name.Describe()}");
        }

        SkipWhitespace();
        var close = Next();
        if (close.Kind != HoconTokenKind.UnquotedText || close.Text != new string(')', depth))
        {
            throw new HoconException(close.Position, $"malformed include: expected {new string(')', depth)}, found {close.Describe()}");
        }

        return name.Text;
    }
}
