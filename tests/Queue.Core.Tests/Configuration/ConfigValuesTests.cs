using Microsoft.Extensions.Configuration;
using Queue.Core.Configuration;

namespace Queue.Core.Tests.Configuration;

public sealed class ConfigValuesTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("5s", 5_000)]
    [InlineData("10m", 600_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("2d", 172_800_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("100", 100)]
    [InlineData("0", 0)]
    [InlineData(" 5 s ", 5_000)]
    [InlineData("5 seconds", 5_000)]
    [InlineData("1 second", 1_000)]
    [InlineData("100 milliseconds", 100)]
    [InlineData("3 millis", 3)]
    [InlineData("2 minutes", 120_000)]
    [InlineData("1 hour", 3_600_000)]
    [InlineData("1 day", 86_400_000)]
    public void Parses_durations(string text, long milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ConfigValues.ParseDuration(text, "k"));
    }

    [Theory]
    [InlineData("1500us", 15_000)]
    [InlineData("2 microseconds", 20)]
    [InlineData("100ns", 1)]
    [InlineData("250 nanos", 2)]
    public void Parses_sub_millisecond_durations_to_ticks(string text, long ticks)
    {
        Assert.Equal(TimeSpan.FromTicks(ticks), ConfigValues.ParseDuration(text, "k"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("5x")]
    [InlineData("-5s")]
    [InlineData("5 sec")]
    [InlineData("1.2.3s")]
    [InlineData("5S")]
    [InlineData("99999999999999999999d")]
    public void Rejects_bad_durations_naming_key_and_text(string text)
    {
        var error = Assert.Throws<FormatException>(() => ConfigValues.ParseDuration(text, "queue.http.request-timeout"));

        Assert.StartsWith($"queue.http.request-timeout: '{text}' is not a valid duration", error.Message);
    }

    [Fact]
    public void Duration_error_explains_the_accepted_format()
    {
        var error = Assert.Throws<FormatException>(() => ConfigValues.ParseDuration("5 fortnights", "t"));

        Assert.Equal(
            "t: '5 fortnights' is not a valid duration: unknown unit 'fortnights'; expected a number with an optional unit (ns, us, ms, s, m, h, d); a bare number means milliseconds.",
            error.Message);
    }

    [Theory]
    [InlineData("512", 512)]
    [InlineData("512B", 512)]
    [InlineData("10 bytes", 10)]
    [InlineData("1KiB", 1024)]
    [InlineData("1K", 1024)]
    [InlineData("1k", 1024)]
    [InlineData("2Ki", 2048)]
    [InlineData("1MiB", 1_048_576)]
    [InlineData("1m", 1_048_576)]
    [InlineData("1M", 1_048_576)]
    [InlineData("1.5MiB", 1_572_864)]
    [InlineData("1GiB", 1_073_741_824)]
    [InlineData("1g", 1_073_741_824)]
    [InlineData("1TiB", 1_099_511_627_776)]
    [InlineData("1kB", 1_000)]
    [InlineData("1KB", 1_000)]
    [InlineData("1MB", 1_000_000)]
    [InlineData("1GB", 1_000_000_000)]
    [InlineData("2 megabytes", 2_000_000)]
    [InlineData("2 mebibytes", 2_097_152)]
    [InlineData("1 kibibyte", 1024)]
    public void Parses_sizes(string text, long bytes)
    {
        Assert.Equal(bytes, ConfigValues.ParseSize(text, "k"));
    }

    [Theory]
    [InlineData("", "expected a number")]
    [InlineData("MiB", "expected a number")]
    [InlineData("-1", "expected a number")]
    [InlineData("1 XB", "unknown unit 'XB'")]
    [InlineData("1mb", "unknown unit 'mb'")]
    [InlineData("0.5B", "not a whole number of bytes")]
    [InlineData("100000000EiB", "too large")]
    public void Rejects_bad_sizes_naming_key_and_text(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => ConfigValues.ParseSize(text, "queue.limits.max-message-bytes"));

        Assert.StartsWith($"queue.limits.max-message-bytes: '{text}' is not a valid size: ", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData("broker,edge", new[] { "broker", "edge" })]
    [InlineData(" broker , edge ,", new[] { "broker", "edge" })]
    [InlineData("10.0.0.1:2552", new[] { "10.0.0.1:2552" })]
    [InlineData("", new string[0])]
    [InlineData(" , ", new string[0])]
    public void Parses_comma_separated_lists(string text, string[] expected)
    {
        Assert.Equal(expected, ConfigValues.ParseList(text));
    }

    [Fact]
    public void Get_list_reads_indexed_children_in_numeric_order()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["list:10"] = "k",
            ["list:2"] = "c",
            ["list:0"] = "a",
            ["list:1"] = "b",
        }).Build();

        Assert.Equal(["a", "b", "c", "k"], ConfigValues.GetList(config.GetSection("list")));
    }

    [Fact]
    public void Get_list_of_a_missing_section_is_empty()
    {
        Assert.Empty(ConfigValues.GetList(new ConfigurationBuilder().Build().GetSection("nothing")));
    }

    [Fact]
    public void Get_list_rejects_objects()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["o:a"] = "1",
            ["l:0:a"] = "1",
        }).Build();

        Assert.Equal("o: expected a list, found field 'a'.", Assert.Throws<FormatException>(() => ConfigValues.GetList(config.GetSection("o"))).Message);
        Assert.Equal(
            "l:0: expected a string list element, found an object or list.",
            Assert.Throws<FormatException>(() => ConfigValues.GetList(config.GetSection("l"))).Message);
    }
}
