using System.Collections.Frozen;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Queue.Core.Configuration;

/// <summary>
/// Interprets configuration text the way HOCON does: durations ("250ms", "5s"), sizes ("1MiB") and
/// lists. Configuration keeps these as raw text so they can equally come from a file, an
/// environment variable or a command-line flag.
/// </summary>
public static class ConfigValues
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    private static readonly FrozenDictionary<string, decimal> DurationUnits = BuildDurationUnits();
    private static readonly FrozenDictionary<string, decimal> SizeUnits = BuildSizeUnits();

    /// <summary>
    /// A duration: number plus unit (ns, us, ms, s, m, h, d or their long forms, e.g. "5 seconds");
    /// a bare number means milliseconds. Fractions are allowed ("1.5s"); negative values are not.
    /// </summary>
    public static TimeSpan ParseDuration(string text, string key)
    {
        const string expected = "expected a number with an optional unit (ns, us, ms, s, m, h, d); a bare number means milliseconds";
        var (number, unit) = Split(text, key, "duration", expected);
        if (!DurationUnits.TryGetValue(unit, out var ticksPerUnit))
        {
            throw Bad(key, text, "duration", $"unknown unit '{unit}'; {expected}");
        }

        var ticks = Multiply(number, ticksPerUnit, key, text, "duration");
        return TimeSpan.FromTicks((long)decimal.Truncate(ticks));
    }

    /// <summary>
    /// A size in bytes: number plus unit. Binary units K/Ki/KiB, M/Mi/MiB, G/Gi/GiB, T, P, E (and k, m, g as
    /// HOCON allows) are powers of 1024; kB/KB, MB, GB, TB, PB, EB are powers of 1000. A bare number means bytes.
    /// </summary>
    public static long ParseSize(string text, string key)
    {
        const string expected = "expected a number with an optional unit (B, KiB, MiB, GiB, TiB, kB, MB, GB, TB); a bare number means bytes";
        var (number, unit) = Split(text, key, "size", expected);
        if (!SizeUnits.TryGetValue(unit, out var bytesPerUnit))
        {
            throw Bad(key, text, "size", $"unknown unit '{unit}'; {expected}");
        }

        var bytes = Multiply(number, bytesPerUnit, key, text, "size");
        if (bytes != decimal.Truncate(bytes))
        {
            throw Bad(key, text, "size", "it is not a whole number of bytes");
        }

        return (long)bytes;
    }

    /// <summary>A comma-separated list as given on a command line or in an environment variable ("broker, edge").</summary>
    public static IReadOnlyList<string> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// The strings of a list setting. A value on the section itself (a comma-separated string, as an
    /// environment variable or flag would give) wins over indexed children, because the HOCON provider
    /// gives its arrays a null value there that any later provider's string overrides. Arrays from
    /// HOCON layers are thus replaced as a whole, never merged element by element.
    /// </summary>
    public static IReadOnlyList<string> GetList(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        if (section.Value is { } value)
        {
            return ParseList(value);
        }

        var items = new List<(int Index, string Value)>();
        foreach (var child in section.GetChildren())
        {
            if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                throw new FormatException($"{section.Path}: expected a list, found field '{child.Key}'.");
            }

            if (child.Value is { } item)
            {
                items.Add((index, item));
            }
            else if (child.GetChildren().Any())
            {
                throw new FormatException($"{child.Path}: expected a string list element, found an object or list.");
            }
        }

        return items.OrderBy(i => i.Index).Select(i => i.Value).ToList();
    }

    private static (decimal Number, string Unit) Split(string text, string key, string what, string expected)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var end = 0;
        while (end < trimmed.Length && (char.IsAsciiDigit(trimmed[end]) || trimmed[end] == '.'))
        {
            end++;
        }

        if (end == 0 || !decimal.TryParse(trimmed.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            throw Bad(key, text, what, expected);
        }

        return (number, trimmed[end..].TrimStart());
    }

    private static decimal Multiply(decimal number, decimal perUnit, string key, string text, string what)
    {
        try
        {
            var result = number * perUnit;
            return result <= long.MaxValue ? result : throw Bad(key, text, what, "it is too large");
        }
        catch (OverflowException)
        {
            throw Bad(key, text, what, "it is too large");
        }
    }

    private static FormatException Bad(string key, string text, string what, string reason) =>
        new($"{key}: '{text}' is not a valid {what}: {reason}.");

    private static FrozenDictionary<string, decimal> BuildDurationUnits()
    {
        var units = new Dictionary<string, decimal>(StringComparer.Ordinal);
        void Add(decimal ticks, params string[] names)
        {
            foreach (var name in names)
            {
                units[name] = ticks;
            }
        }

        Add(0.01m, "ns", "nano", "nanos", "nanosecond", "nanoseconds");
        Add(TicksPerMicrosecond, "us", "micro", "micros", "microsecond", "microseconds");
        Add(TimeSpan.TicksPerMillisecond, "", "ms", "milli", "millis", "millisecond", "milliseconds");
        Add(TimeSpan.TicksPerSecond, "s", "second", "seconds");
        Add(TimeSpan.TicksPerMinute, "m", "minute", "minutes");
        Add(TimeSpan.TicksPerHour, "h", "hour", "hours");
        Add(TimeSpan.TicksPerDay, "d", "day", "days");
        return units.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static FrozenDictionary<string, decimal> BuildSizeUnits()
    {
        var units = new Dictionary<string, decimal>(StringComparer.Ordinal) { [""] = 1, ["B"] = 1, ["b"] = 1, ["byte"] = 1, ["bytes"] = 1 };
        (string Letter, string Decimal, string Binary)[] prefixes =
        [
            ("K", "kilo", "kibi"), ("M", "mega", "mebi"), ("G", "giga", "gibi"), ("T", "tera", "tebi"), ("P", "peta", "pebi"), ("E", "exa", "exbi"),
        ];
        decimal power1000 = 1, power1024 = 1;
        foreach (var (letter, decimalName, binaryName) in prefixes)
        {
            power1000 *= 1000;
            power1024 *= 1024;
            var lower = letter.ToLowerInvariant();
            foreach (var name in new[] { $"{letter}B", $"{decimalName}byte", $"{decimalName}bytes" })
            {
                units[name] = power1000;
            }

            foreach (var name in new[] { letter, lower, $"{letter}i", $"{letter}iB", $"{binaryName}byte", $"{binaryName}bytes" })
            {
                units[name] = power1024;
            }
        }

        // HOCON spells the decimal kilobyte "kB"; "KB" is accepted too because people write it.
        units["kB"] = 1000;
        return units.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
