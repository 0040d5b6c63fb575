using Queue.Core.Configuration;

namespace Queue.Core.Tests.Configuration;

public sealed class HoconSubstitutionTests
{
    [Fact]
    public void Substitution_copies_a_value_defined_anywhere()
    {
        var root = TestHocon.Parse("""
            a = ${b.c}
            b { c = 42 }
            url = "http://"${host}":"${port}/api
            host = localhost
            port = 8080
            """);

        Assert.Equal("42", root.GetString("a"));
        Assert.Equal(HoconScalarKind.Number, Assert.IsType<HoconScalar>(root["a"]).Kind);
        Assert.Equal("http://localhost:8080/api", root.GetString("url"));
    }

    [Fact]
    public void Substitution_sees_the_final_value_of_its_target()
    {
        var root = TestHocon.Parse("a = 1\nb = ${a}\na = 2");

        Assert.Equal("2", root.GetString("b"));
    }

    [Fact]
    public void Substitution_of_a_whole_object_copies_it_and_can_be_extended()
    {
        var root = TestHocon.Parse("""
            defaults { timeout = 5s, retries = 3 }
            fast = ${defaults}
            fast { timeout = 1s }
            slow = ${defaults} { timeout = 30s }
            """);

        Assert.Equal("1s", root.GetString("fast.timeout"));
        Assert.Equal("3", root.GetString("fast.retries"));
        Assert.Equal("30s", root.GetString("slow.timeout"));
        Assert.Equal("3", root.GetString("slow.retries"));
        Assert.Equal("5s", root.GetString("defaults.timeout"));
    }

    [Fact]
    public void Substitution_of_an_array_and_array_concatenation()
    {
        var root = TestHocon.Parse("base = [a, b]\nall = ${base} [c]");

        Assert.Equal(["a", "b", "c"], TestHocon.Strings(root["all"]));
    }

    [Fact]
    public void Optional_substitution_prefers_a_config_path_over_the_environment()
    {
        var root = TestHocon.Parse(
            "QUEUE_PORT = 1\nport = 2552\nport = ${?QUEUE_PORT}",
            new Dictionary<string, string> { ["QUEUE_PORT"] = "9000" });

        Assert.Equal("1", root.GetString("port"));
    }

    [Fact]
    public void Optional_substitution_falls_back_to_the_environment()
    {
        var root = TestHocon.Parse(
            "port = 2552\nport = ${?QUEUE_PORT}",
            new Dictionary<string, string> { ["QUEUE_PORT"] = "9000" });

        Assert.Equal("9000", root.GetString("port"));
    }

    [Fact]
    public void Unset_optional_substitution_keeps_the_earlier_value()
    {
        var root = TestHocon.Parse("""
            port = 2552
            port = ${?QUEUE_PORT}
            node { roles = [broker] }
            node.roles = ${?QUEUE_ROLES}
            """);

        Assert.Equal("2552", root.GetString("port"));
        Assert.Equal(["broker"], TestHocon.Strings(root.Find("node.roles")));
    }

    [Fact]
    public void Unset_optional_substitution_with_no_earlier_value_leaves_the_field_out()
    {
        var root = TestHocon.Parse("a = ${?NOPE}\nb = [x, ${?NOPE}]\nc = ${?NOPE} tail");

        Assert.Null(root["a"]);
        Assert.Equal(["x"], TestHocon.Strings(root["b"]));
        Assert.Equal("tail", root.GetString("c"));
    }

    [Fact]
    public void Required_substitution_also_falls_back_to_the_environment()
    {
        var root = TestHocon.Parse("home = ${HOME}", new Dictionary<string, string> { ["HOME"] = "/home/q" });

        Assert.Equal("/home/q", root.GetString("home"));
    }

    [Fact]
    public void Unresolved_required_substitution_is_an_error_with_its_position()
    {
        var error = TestHocon.ParseError("a = 1\nb = x ${missing.path}");

        Assert.Equal("test.conf:2:7: unresolved substitution ${missing.path}: no such path in the configuration and no environment variable 'missing.path'", error.Message);
    }

    [Fact]
    public void Self_reference_means_the_previous_value()
    {
        var root = TestHocon.Parse(
            """
            path = "/bin"
            path = ${path}":/usr/bin"
            opts { list = [a] }
            opts { list = ${opts.list} [b] }
            env-path = ${PATH}":/extra"
            """,
            new Dictionary<string, string> { ["PATH"] = "/sbin" });

        Assert.Equal("/bin:/usr/bin", root.GetString("path"));
        Assert.Equal(["a", "b"], TestHocon.Strings(root.Find("opts.list")));
        Assert.Equal("/sbin:/extra", root.GetString("env-path"));
    }

    [Fact]
    public void Optional_self_reference_with_nothing_before_is_dropped()
    {
        var root = TestHocon.Parse("a = ${?a} [1]");

        Assert.Equal(["1"], TestHocon.Strings(root["a"]));
    }

    [Fact]
    public void Substitution_through_another_substitution()
    {
        var root = TestHocon.Parse("a = ${b}\nb = ${c.d}\nc = ${e}\ne { d = deep }");

        Assert.Equal("deep", root.GetString("a"));
    }

    [Fact]
    public void Quoted_path_in_substitution()
    {
        var root = TestHocon.Parse("\"a.b\" { c = 1 }\nx = ${\"a.b\".c}");

        Assert.Equal("1", root.GetString("x"));
    }

    [Fact]
    public void Cycle_between_substitutions_is_an_error()
    {
        var error = TestHocon.ParseError("a = ${b}\nb = ${a}");

        Assert.StartsWith("test.conf:1:5: cycle in substitutions: ${b} -> ${a}", error.Message);
    }

    [Fact]
    public void Object_containing_a_substitution_of_itself_is_an_error()
    {
        var error = TestHocon.ParseError("a { b = ${a} }");

        Assert.Contains("cycle in substitutions", error.Message);
        Assert.StartsWith("test.conf:1:9:", error.Message);
    }

    [Fact]
    public void Concatenating_an_object_with_a_string_is_an_error()
    {
        var error = TestHocon.ParseError("o { x = 1 }\na = ${o} text");

        Assert.Equal("test.conf:2:5: cannot concatenate an object with a string", error.Message);
    }

    [Fact]
    public void Substitutions_resolve_across_loader_layers()
    {
        var options = TestHocon.Options(new Dictionary<string, string> { ["QUEUE_HTTP_PORT"] = "9001" });
        var root = new HoconLoader(options)
            .AddText("http { port = 8001, url = \"http://h:\"${http.port} }", "reference.conf")
            .AddText("http.port = ${?QUEUE_HTTP_PORT}", "user.conf")
            .Resolve();

        Assert.Equal("9001", root.GetString("http.port"));
        Assert.Equal("http://h:9001", root.GetString("http.url"));
    }
}
