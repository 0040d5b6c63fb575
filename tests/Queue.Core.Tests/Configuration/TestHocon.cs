using Queue.Core.Configuration;

namespace Queue.Core.Tests.Configuration;

/// <summary>Parsing with no real environment and no file system, so tests see only what they set up.</summary>
internal static class TestHocon
{
    public static HoconObject Parse(
        string text, Dictionary<string, string>? environment = null, IHoconIncludeResolver? includes = null, string source = "test.conf") =>
        HoconLoader.Parse(text, source, Options(environment, includes));

    public static HoconOptions Options(Dictionary<string, string>? environment = null, IHoconIncludeResolver? includes = null) => new()
    {
        Environment = name => environment?.GetValueOrDefault(name),
        IncludeResolver = includes ?? new InMemoryIncludeResolver([]),
    };

    public static HoconException ParseError(
        string text, Dictionary<string, string>? environment = null, IHoconIncludeResolver? includes = null, string source = "test.conf") =>
        Assert.Throws<HoconException>(() => Parse(text, environment, includes, source));

    public static string[] Strings(HoconValue? value) =>
        Assert.IsType<HoconArray>(value).Items.Select(i => Assert.IsType<HoconScalar>(i).Text).ToArray();
}
