using Queue.Core.Log;

namespace Queue.Core.Tests.Log;

public sealed class TopicNamesTests
{
    [Theory]
    [InlineData("T1")]
    [InlineData("orders")]
    [InlineData("app.logs_v2-eu")]
    [InlineData("...")]
    [InlineData("_")]
    [InlineData("0")]
    public void Accepts_letters_digits_dots_underscores_and_dashes(string name)
    {
        Assert.Null(TopicNames.Validate(name, 249));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Refuses_a_missing_name(string? name)
    {
        Assert.Equal("topic name is missing", TopicNames.Validate(name, 249));
    }

    [Fact]
    public void Accepts_a_name_exactly_at_the_limit_and_refuses_one_longer()
    {
        Assert.Null(TopicNames.Validate(new string('a', 10), 10));
        var problem = TopicNames.Validate(new string('a', 11), 10);
        Assert.Equal("topic name is 11 characters long; the limit is 10", problem);
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    public void Refuses_dot_and_dot_dot(string name)
    {
        Assert.Equal($"topic name '{name}' is not allowed", TopicNames.Validate(name, 249));
    }

    [Theory]
    [InlineData("my topic", ' ')]
    [InlineData("a/b", '/')]
    [InlineData("a#b", '#')]
    [InlineData("caf\u00e9", '\u00e9')]
    [InlineData("tab\tbed", '\t')]
    [InlineData("a:b", ':')]
    public void Refuses_any_other_character_and_names_it(string name, char offending)
    {
        var problem = TopicNames.Validate(name, 249);
        Assert.NotNull(problem);
        Assert.Contains($"contains '{offending}'", problem);
        Assert.Contains($"'{name}'", problem);
    }

    [Fact]
    public void Checks_the_length_before_the_characters()
    {
        // An over-long name is reported as too long (413 on /v1), even if it also has bad characters.
        var problem = TopicNames.Validate(new string(' ', 20), 10);
        Assert.Equal("topic name is 20 characters long; the limit is 10", problem);
    }
}
