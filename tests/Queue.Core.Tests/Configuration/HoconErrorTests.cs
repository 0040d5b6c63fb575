using Queue.Core.Configuration;

namespace Queue.Core.Tests.Configuration;

public sealed class HoconErrorTests
{
    [Theory]
    [InlineData("queue {\n  http {\n    port 8001\n  }\n}", "test.conf:3:5: expected '=' or ':' after key 'port', found '8001'")]
    [InlineData("a = 1\nb\n", "test.conf:2:1: expected '=' or ':' after key 'b', found end of line")]
    [InlineData("a = \"unterminated\nb = 2", "test.conf:1:5: unterminated string (a quoted string must end on the line it starts; use \"\"\" for multi-line text)")]
    [InlineData("a = \"\"\"never closed", "test.conf:1:5: unterminated triple-quoted string")]
    [InlineData("a = \"bad \\q escape\"", "test.conf:1:10: invalid escape sequence '\\q' in quoted string")]
    [InlineData("a {\n  b = 1\n", "test.conf:3:1: unbalanced braces: end of input before the '}' that closes the '{' at line 1, column 3")]
    [InlineData("a = 1\n}", "test.conf:2:1: unbalanced braces: '}' has no matching '{'")]
    [InlineData("a = [1, 2\nb = 3", "test.conf:2:3: expected ',' or ']' after array element, found '=' (the '[' at line 1, column 5 is still open)")]
    [InlineData("a = [1,\n 2", "test.conf:2:3: unbalanced brackets: end of input before the ']' that closes the '[' at line 1, column 5")]
    [InlineData("a = [1, }", "test.conf:1:9: missing array element, found '}'")]
    [InlineData("a = \nb = 2", "test.conf:1:5: missing the value of 'a', found end of line")]
    [InlineData("a = }", "test.conf:1:5: missing the value of 'a', found '}'")]
    [InlineData("host = localhost:8080", "test.conf:1:17: unexpected ':' in the value of 'host' (quote values that contain ':' or '=')")]
    [InlineData("a = 1 {", "test.conf:1:8: unbalanced braces: end of input before the '}' that closes the '{' at line 1, column 7")]
    [InlineData("= 1", "test.conf:1:1: expected a key, found '='")]
    [InlineData("a = 1,,b = 2", "test.conf:1:7: unexpected ',' (expected a key)")]
    [InlineData("${x} = 1", "test.conf:1:1: substitutions are not allowed in keys")]
    [InlineData("a..b = 1", "test.conf:1:1: invalid key 'a..b': empty path segment (quote keys that contain dots)")]
    [InlineData("a = ${x", "test.conf:1:5: unterminated substitution: missing '}'")]
    [InlineData("a = x?y", "test.conf:1:6: unexpected character '?' (quote the value if it is part of a string)")]
    [InlineData("[1, 2]", "test.conf:1:1: the root of a document must be an object, not an array")]
    [InlineData("{ a = 1 }\nb = 2", "test.conf:2:1: unexpected 'b' after the closing '}' of the root object")]
    [InlineData("a {\n  b = [\n    {c = 1}\n    {d = \n  ]\n}", "test.conf:4:10: missing the value of 'd', found end of line")]
    public void Malformed_input_reports_source_line_and_column(string text, string message)
    {
        var error = TestHocon.ParseError(text);

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Exception_exposes_position_and_detail()
    {
        var error = TestHocon.ParseError("a = 1\n  b c", source: "user.conf");

        Assert.Equal(new HoconPosition("user.conf", 2, 3), error.Position);
        Assert.Equal("expected '=' or ':' after key 'b', found 'c'", error.Detail);
        Assert.StartsWith("user.conf:2:3: ", error.Message);
    }
}
