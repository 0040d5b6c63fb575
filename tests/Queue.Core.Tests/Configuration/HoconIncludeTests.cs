using Queue.Core.Configuration;

namespace Queue.Core.Tests.Configuration;

public sealed class HoconIncludeTests
{
    [Fact]
    public void Include_merges_at_its_position_so_later_fields_win()
    {
        var includes = new InMemoryIncludeResolver(new() { ["common.conf"] = "a = included\nb = included\nc { x = 1 }" });

        var root = TestHocon.Parse("a = before\ninclude \"common.conf\"\nb = after\nc.y = 2", includes: includes);

        Assert.Equal("included", root.GetString("a"));
        Assert.Equal("after", root.GetString("b"));
        Assert.Equal("1", root.GetString("c.x"));
        Assert.Equal("2", root.GetString("c.y"));
    }

    [Fact]
    public void Include_inside_an_object_nests_the_included_keys()
    {
        var includes = new InMemoryIncludeResolver(new() { ["http.conf"] = "{ port = 8001, timeout = 5s }" });

        var root = TestHocon.Parse("queue { http { include \"http.conf\" } }", includes: includes);

        Assert.Equal("8001", root.GetString("queue.http.port"));
        Assert.Equal("5s", root.GetString("queue.http.timeout"));
    }

    [Theory]
    [InlineData("include file(\"x.conf\")")]
    [InlineData("include required(\"x.conf\")")]
    [InlineData("include required(file(\"x.conf\"))")]
    [InlineData("include classpath(\"x.conf\")")]
    [InlineData("include   \"x.conf\"  ")]
    public void Include_forms(string statement)
    {
        var includes = new InMemoryIncludeResolver(new() { ["x.conf"] = "x = 1" });

        Assert.Equal("1", TestHocon.Parse(statement + "\ny = 2", includes: includes).GetString("x"));
    }

    [Fact]
    public void Includes_are_relative_to_the_including_document()
    {
        var includes = new InMemoryIncludeResolver(new()
        {
            ["conf/sub/a.conf"] = "include \"b.conf\"\na = 1",
            ["conf/sub/b.conf"] = "b = 2",
        });

        var root = TestHocon.Parse("include \"sub/a.conf\"", includes: includes, source: "conf/main.conf");

        Assert.Equal("1", root.GetString("a"));
        Assert.Equal("2", root.GetString("b"));
        Assert.Equal([("conf/main.conf", "sub/a.conf"), ("conf/sub/a.conf", "b.conf")], includes.Requests);
    }

    [Fact]
    public void Included_documents_can_use_substitutions_of_the_includer()
    {
        var includes = new InMemoryIncludeResolver(new() { ["x.conf"] = "url = \"http://\"${host}" });

        Assert.Equal("http://h", TestHocon.Parse("host = h\ninclude \"x.conf\"", includes: includes).GetString("url"));
    }

    [Fact]
    public void Including_the_same_document_twice_in_sequence_is_fine()
    {
        var includes = new InMemoryIncludeResolver(new() { ["x.conf"] = "n = 1" });

        var root = TestHocon.Parse("a { include \"x.conf\" }\nb { include \"x.conf\" }", includes: includes);

        Assert.Equal("1", root.GetString("a.n"));
        Assert.Equal("1", root.GetString("b.n"));
    }

    [Fact]
    public void Missing_include_is_an_error()
    {
        var error = TestHocon.ParseError("a = 1\n  include \"missing.conf\"");

        Assert.Equal("test.conf:2:3: include not found: \"missing.conf\"", error.Message);
    }

    [Fact]
    public void Cyclic_include_is_an_error()
    {
        var includes = new InMemoryIncludeResolver(new()
        {
            ["a.conf"] = "include \"b.conf\"",
            ["b.conf"] = "x = 1\ninclude \"a.conf\"",
        });

        var error = TestHocon.ParseError("include \"a.conf\"", includes: includes);

        Assert.Equal("b.conf:2:1: cyclic include: test.conf -> a.conf -> b.conf -> a.conf", error.Message);
    }

    [Fact]
    public void Errors_in_an_included_document_name_that_document()
    {
        var includes = new InMemoryIncludeResolver(new() { ["bad.conf"] = "ok = 1\nbroken" });

        var error = TestHocon.ParseError("include \"bad.conf\"", includes: includes);

        Assert.StartsWith("bad.conf:2:1: expected '=' or ':' after key 'broken'", error.Message);
    }

    [Theory]
    [InlineData("include url(\"http://x\")", "test.conf:1:9: include url(...) is not supported")]
    [InlineData("include file(x.conf)", "test.conf:1:9: malformed include: expected a quoted name, found 'x.conf)'")]
    [InlineData("include file(\"x.conf\"", "test.conf:1:22: malformed include: expected ), found end of line")]
    public void Malformed_include_is_an_error(string text, string message)
    {
        Assert.Equal(message, TestHocon.ParseError(text + "\n").Message);
    }

    [Fact]
    public void File_resolver_reads_files_relative_to_the_including_file()
    {
        var directory = Directory.CreateTempSubdirectory("hocon-include-");
        try
        {
            Directory.CreateDirectory(Path.Combine(directory.FullName, "conf.d"));
            File.WriteAllText(Path.Combine(directory.FullName, "main.conf"), "include \"conf.d/extra.conf\"\na = 1");
            File.WriteAllText(Path.Combine(directory.FullName, "conf.d", "extra.conf"), "b = 2");

            var root = new HoconLoader(new HoconOptions { Environment = _ => null })
                .AddFile(Path.Combine(directory.FullName, "main.conf"))
                .Resolve();

            Assert.Equal("1", root.GetString("a"));
            Assert.Equal("2", root.GetString("b"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
