using Queue.Core.Configuration;

namespace Queue.Core.Tests.Configuration;

public sealed class HoconParserTests
{
    [Fact]
    public void Root_object_may_omit_braces()
    {
        var root = TestHocon.Parse("a = 1\nb : two");

        Assert.Equal("1", root.GetString("a"));
        Assert.Equal("two", root.GetString("b"));
    }

    [Fact]
    public void Root_object_may_have_braces()
    {
        var root = TestHocon.Parse("{ \"a\": 1, \"b\": [true, null] }");

        Assert.Equal("1", root.GetString("a"));
        Assert.Equal(HoconScalarKind.Boolean, Assert.IsType<HoconScalar>(Assert.IsType<HoconArray>(root["b"])[0]).Kind);
        Assert.Equal(HoconScalarKind.Null, Assert.IsType<HoconScalar>(Assert.IsType<HoconArray>(root["b"])[1]).Kind);
    }

    [Fact]
    public void Empty_document_is_an_empty_object()
    {
        Assert.Equal(0, TestHocon.Parse("  \n# only a comment\n").Count);
    }

    [Fact]
    public void Object_field_needs_no_separator()
    {
        var root = TestHocon.Parse("a { b = 1, c { d = x } }");

        Assert.Equal("1", root.GetString("a.b"));
        Assert.Equal("x", root.GetString("a.c.d"));
    }

    [Fact]
    public void Dotted_keys_create_and_merge_into_objects()
    {
        var root = TestHocon.Parse("""
            a.b.c = 1
            a { b { d = 2 } }
            a.e = 3
            """);

        Assert.Equal("1", root.GetString("a.b.c"));
        Assert.Equal("2", root.GetString("a.b.d"));
        Assert.Equal("3", root.GetString("a.e"));
    }

    [Fact]
    public void Quoted_key_segments_keep_their_dots()
    {
        var root = TestHocon.Parse("""
            "a.b" = 1
            x."y.z".w = 2
            """);

        Assert.Equal("1", Assert.IsType<HoconScalar>(root["a.b"]).Text);
        Assert.Equal("2", root.GetString("x.\"y.z\".w"));
    }

    [Fact]
    public void Repeated_object_keys_merge_and_later_scalars_win()
    {
        var root = TestHocon.Parse("""
            server { host = a, port = 1 }
            server { port = 2, tls = true }
            """);

        Assert.Equal("a", root.GetString("server.host"));
        Assert.Equal("2", root.GetString("server.port"));
        Assert.Equal("true", root.GetString("server.tls"));
    }

    [Fact]
    public void A_scalar_replaces_an_object_and_an_object_replaces_a_scalar()
    {
        var root = TestHocon.Parse("""
            a { x = 1 }
            a = 5
            b = 5
            b { y = 2 }
            """);

        Assert.Equal("5", root.GetString("a"));
        var b = Assert.IsType<HoconObject>(root["b"]);
        Assert.Equal(["y"], b.Keys);
    }

    [Fact]
    public void Later_array_replaces_earlier_array()
    {
        var root = TestHocon.Parse("roles = [broker, edge]\nroles = [edge]");

        Assert.Equal(["edge"], TestHocon.Strings(root["roles"]));
    }

    [Fact]
    public void Arrays_separate_elements_with_commas_or_newlines()
    {
        var root = TestHocon.Parse("""
            a = [1, 2, 3,]
            b = [
              one
              two,
              "three"

              four
            ]
            c = []
            """);

        Assert.Equal(["1", "2", "3"], TestHocon.Strings(root["a"]));
        Assert.Equal(["one", "two", "three", "four"], TestHocon.Strings(root["b"]));
        Assert.Equal(0, Assert.IsType<HoconArray>(root["c"]).Count);
    }

    [Fact]
    public void Arrays_hold_objects_and_arrays()
    {
        var root = TestHocon.Parse("""
            nodes = [
              { host = a, port = 1 }
              { host = b, port = 2 }
            ]
            matrix = [[1, 2], [3]]
            """);

        var nodes = Assert.IsType<HoconArray>(root["nodes"]);
        Assert.Equal("b", Assert.IsType<HoconObject>(nodes[1]).GetString("host"));
        Assert.Equal(["3"], TestHocon.Strings(Assert.IsType<HoconArray>(root["matrix"])[1]));
    }

    [Fact]
    public void Comments_are_ignored()
    {
        var root = TestHocon.Parse("""
            # hash comment
            a = 1 # trailing
            // slash comment
            b = 2 // trailing
            c = "not # a comment"
            d = http//x
            """);

        Assert.Equal("1", root.GetString("a"));
        Assert.Equal("2", root.GetString("b"));
        Assert.Equal("not # a comment", root.GetString("c"));
        Assert.Equal("http", root.GetString("d"));
    }

    [Fact]
    public void Quoted_strings_decode_json_escapes()
    {
        var root = TestHocon.Parse("""a = "tab\tquote\" slash\\ \/ nl\n \u00e9 \b\f\r" """);

        Assert.Equal("tab\tquote\" slash\\ / nl\n \u00e9 \b\f\r", root.GetString("a"));
    }

    [Theory]
    [InlineData("10m", HoconScalarKind.String)]
    [InlineData("127.0.0.1", HoconScalarKind.String)]
    [InlineData("broker", HoconScalarKind.String)]
    [InlineData("1MiB", HoconScalarKind.String)]
    [InlineData("-Xmx1g", HoconScalarKind.String)]
    [InlineData("a/b/c.txt", HoconScalarKind.String)]
    [InlineData("2552", HoconScalarKind.Number)]
    [InlineData("-1.5e3", HoconScalarKind.Number)]
    [InlineData("true", HoconScalarKind.Boolean)]
    [InlineData("false", HoconScalarKind.Boolean)]
    [InlineData("null", HoconScalarKind.Null)]
    public void Unquoted_values_keep_their_text(string text, HoconScalarKind kind)
    {
        var value = Assert.IsType<HoconScalar>(TestHocon.Parse($"a = {text}")["a"]);

        Assert.Equal(text, value.Text);
        Assert.Equal(kind, value.Kind);
    }

    [Fact]
    public void Quoted_literals_are_strings()
    {
        var value = Assert.IsType<HoconScalar>(TestHocon.Parse("a = \"true\"")["a"]);

        Assert.Equal(HoconScalarKind.String, value.Kind);
    }

    [Fact]
    public void Triple_quoted_strings_span_lines_without_escapes()
    {
        var root = TestHocon.Parse("a = \"\"\"line one\n  \"quoted\" \\n raw\"\"\"\nb = \"\"\"x\"\"\"\"");

        Assert.Equal("line one\n  \"quoted\" \\n raw", root.GetString("a"));
        Assert.Equal("x\"", root.GetString("b"));
    }

    [Fact]
    public void Values_on_one_line_concatenate_keeping_inner_whitespace()
    {
        var root = TestHocon.Parse("a = foo bar   baz  \nb = \"x\" y\"z\"\nc = 10 seconds");

        Assert.Equal("foo bar   baz", root.GetString("a"));
        Assert.Equal("x yz", root.GetString("b"));
        Assert.Equal("10 seconds", root.GetString("c"));
    }

    [Fact]
    public void Arrays_and_objects_concatenate()
    {
        var root = TestHocon.Parse("a = [1, 2] [3]\nb = { x = 1 } { y = 2 }");

        Assert.Equal(["1", "2", "3"], TestHocon.Strings(root["a"]));
        Assert.Equal("1", root.GetString("b.x"));
        Assert.Equal("2", root.GetString("b.y"));
    }

    [Fact]
    public void Plus_equals_appends_to_an_array()
    {
        var root = TestHocon.Parse("a = [x]\na += y\nb += z");

        Assert.Equal(["x", "y"], TestHocon.Strings(root["a"]));
        Assert.Equal(["z"], TestHocon.Strings(root["b"]));
    }

    [Fact]
    public void Fields_keep_definition_order()
    {
        var root = TestHocon.Parse("c = 1\na = 2\nb = 3\na = 4");

        Assert.Equal(["c", "a", "b"], root.Keys);
    }

    [Fact]
    public void Key_named_include_is_an_ordinary_key()
    {
        Assert.Equal("1", TestHocon.Parse("include = 1").GetString("include"));
    }

    [Fact]
    public void Windows_line_endings_are_accepted()
    {
        var root = TestHocon.Parse("a = 1\r\nb {\r\n  c = two\r\n}\r\n");

        Assert.Equal("1", root.GetString("a"));
        Assert.Equal("two", root.GetString("b.c"));
    }

    [Fact]
    public void Repeated_key_inside_one_object_can_refer_to_its_earlier_value()
    {
        var root = TestHocon.Parse("a { b = 1, b = ${a.b}2 }");

        Assert.Equal("12", root.GetString("a.b"));
    }

    [Fact]
    public void Find_returns_null_for_missing_paths()
    {
        var root = TestHocon.Parse("a { b = 1 }");

        Assert.Null(root.Find("a.c"));
        Assert.Null(root.Find("a.b.c"));
        Assert.Null(root.GetString("a"));
    }
}
