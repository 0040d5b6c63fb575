using System.Globalization;
using System.Text;
using Akka.Configuration;

namespace Queue.Core.Configuration;

/// <summary>
/// Builds a node's configuration with Akka.NET's HOCON, in layers, lowest first: the embedded
/// hocon/akka.conf and hocon/queue.conf, the --config file, the QUEUE_* environment variables,
/// the command-line flags. Flags and variables are turned into HOCON assignments (values as
/// quoted strings, lists as arrays) and layered with <see cref="Config.WithFallback"/>, so every
/// source goes through the same parser and a list given later replaces an earlier one whole.
/// </summary>
public static class QueueConfiguration
{
    /// <summary>
    /// Longest a --config file may take to parse. Akka's parser loops for ever on some malformed
    /// input that <see cref="ConfigTextCheck"/> does not catch; a node must fail, not hang, then.
    /// </summary>
    private static readonly TimeSpan ParseTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The embedded defaults: queue.conf over akka.conf (they set disjoint keys).</summary>
    public static Config Defaults { get; } = Embedded("queue.conf").WithFallback(Embedded("akka.conf"));

    /// <summary>The embedded akka.conf alone (the akka.* defaults the product relies on).</summary>
    public static Config AkkaDefaults => Embedded("akka.conf");

    /// <summary>
    /// The merged configuration for a program started with <paramref name="args"/>. When help is
    /// requested nothing else is read, so --help works even with a broken --config file.
    /// </summary>
    /// <param name="getEnvironmentVariable">Usually <see cref="Environment.GetEnvironmentVariable(string)"/>; tests pass their own.</param>
    /// <exception cref="ArgumentException">
    /// An unknown flag, a flag without a value, or a --config file that cannot be read or parsed
    /// (Akka's parser message, with its position, is kept).
    /// </exception>
    public static (Config Config, bool HelpRequested) Load(IReadOnlyList<string> args, Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        var (flags, help) = CommandLineFlags.Parse(args);
        if (help)
        {
            return (Defaults, true);
        }

        var environment = CommandLineFlags.FromEnvironment(getEnvironmentVariable);
        // The flag wins over QUEUE_CONFIG, like every other flag over its twin.
        var configFile = flags.Where(f => f.Flag == CommandLineFlags.Config).Select(f => f.Value).LastOrDefault()
            ?? environment.Where(f => f.Flag == CommandLineFlags.Config).Select(f => f.Value).LastOrDefault();

        var config = Defaults;
        if (!string.IsNullOrWhiteSpace(configFile))
        {
            config = ParseFile(configFile).WithFallback(config);
        }
        config = Parse(ToHocon(environment), "environment variables").WithFallback(config);
        config = Parse(ToHocon(flags), "command-line flags").WithFallback(config);
        return (config, false);
    }

    /// <summary>A HOCON file, with errors that name the file (and, from Akka's parser, the position).</summary>
    /// <exception cref="ArgumentException">The file is missing, unreadable or malformed.</exception>
    public static Config ParseFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ArgumentException($"--config {path}: cannot read the file: {ex.Message}", ex);
        }
        return Parse(text, path);
    }

    /// <summary>HOCON text; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="ArgumentException">The text is malformed.</exception>
    public static Config Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ConfigTextCheck.ThrowIfMalformed(text, source);
        var parse = Task.Run(() => ConfigurationFactory.ParseString(text, name => throw new NotSupportedException(
            $"include \"{name}\" is not supported; put the settings in the --config file itself")));
        try
        {
            if (!parse.Wait(ParseTimeout))
            {
                throw new ArgumentException($"{source}: the HOCON parser did not finish within {ParseTimeout.TotalSeconds:0} s; the file is malformed (look for an unclosed '[' or '{{')");
            }
            return parse.Result;
        }
        catch (AggregateException ex) when (ex.InnerException is { } inner)
        {
            throw new ArgumentException($"{source}: {inner.Message.TrimEnd()}", inner);
        }
    }

    /// <summary>
    /// Flag or environment values as HOCON assignments, in order (a later assignment of the same
    /// key wins). Values become quoted strings, so '=', ';', '#', '${', spaces and quotes in them
    /// stay text; list flags become arrays of quoted strings.
    /// </summary>
    public static string ToHocon(IEnumerable<(CommandLineFlags.Flag Flag, string Value)> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var text = new StringBuilder();
        foreach (var (flag, value) in values)
        {
            if (flag.Key is null)
            {
                continue;
            }
            text.Append(flag.Key).Append(" = ");
            if (flag.IsList)
            {
                var items = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                text.Append('[').AppendJoin(", ", items.Select(Quote)).Append(']');
            }
            else
            {
                text.Append(Quote(value));
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>A HOCON quoted string holding exactly <paramref name="value"/>.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    quoted.Append("\\\"");
                    break;
                case '\\':
                    quoted.Append("\\\\");
                    break;
                case < ' ':
                    // Control characters (a newline pasted into a variable) as \uXXXX, which the
                    // parser turns back into the same character.
                    quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    quoted.Append(c);
                    break;
            }
        }
        return quoted.Append('"').ToString();
    }

    private static Config Embedded(string name)
    {
        using var stream = typeof(QueueConfiguration).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in Queue.Core (see Queue.Core.csproj)");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
