namespace Queue.Core.Log;

/// <summary>
/// The rule for topic names: letters, digits, '.', '_' and '-', not "." or "..", at most the
/// configured length. The same rule as Kafka, so names move between the two unchanged, and no
/// name needs escaping in a URL path, a log line or a SQL identifier.
/// </summary>
public static class TopicNames
{
    /// <summary>Null when <paramref name="name"/> is a valid topic name, else why it is not.</summary>
    public static string? Validate(string? name, int maxLength)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "topic name is missing";
        }
        if (name.Length > maxLength)
        {
            return $"topic name is {name.Length} characters long; the limit is {maxLength}";
        }
        if (name is "." or "..")
        {
            return $"topic name '{name}' is not allowed";
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return $"topic name '{name}' contains '{c}'; use only letters, digits, '.', '_' and '-'";
            }
        }
        return null;
    }
}
