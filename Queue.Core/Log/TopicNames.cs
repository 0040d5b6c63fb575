using System.Buffers;
using System.Text;

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
        // By code point, not by UTF-16 unit: the client sent '😀', and half of its surrogate pair
        // would reach it as '\uD83D' or a replacement character. The code point number makes
        // look-alikes and invisible characters identifiable.
        for (var i = 0; i < name.Length;)
        {
            var c = name[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')
            {
                i++;
                continue;
            }
            var status = Rune.DecodeFromUtf16(name.AsSpan(i), out var rune, out _);
            var shown = status == OperationStatus.Done ? $"'{rune}' (U+{rune.Value:X4})" : $"an unpaired UTF-16 surrogate (U+{(int)c:X4})";
            return $"topic name '{name}' contains {shown}; use only letters, digits, '.', '_' and '-'";
        }
        return null;
    }
}
