using System.Text;

namespace Queue.Core.Configuration;

/// <summary>
/// The flags both programs take (design.md §4). Each flag is a shortcut for one configuration
/// key, and has an environment twin (QUEUE_ + the flag in upper snake case) so containers can
/// set the same things without a command line.
/// </summary>
public static class CommandLineFlags
{
    public sealed record Flag(string Name, string Key, string ValueName, string Help)
    {
        public string EnvironmentVariable => "QUEUE_" + Name.TrimStart('-').Replace('-', '_').ToUpperInvariant();
    }

    /// <summary>Not a configuration key: the HOCON file to layer over reference.conf.</summary>
    public const string ConfigFileKey = "config-file";

    public static IReadOnlyList<Flag> All { get; } =
    [
        new("--http-port", "queue:http:port", "PORT", "HTTP API port (default 8001)"),
        new("--port", "queue:node:port", "PORT", "node transport port (default 2552)"),
        new("--host", "queue:node:host", "HOST", "address to bind and advertise (default 127.0.0.1)"),
        new("--roles", "queue:node:roles", "ROLES", "comma-separated: broker, edge (default broker,edge)"),
        new("--seed-nodes", "queue:node:seed-nodes", "HOST:PORT,...", "nodes to contact when joining a cluster"),
        new("--postgres", "queue:journal:postgres", "CONNSTRING", "Npgsql connection string; empty = in-memory journal"),
        new("--node-id", "queue:node:id", "ID", "stable node name (default host:port)"),
        new("--cluster-secret", "queue:node:cluster-secret", "SECRET", "shared secret peers must present"),
        new("--config", ConfigFileKey, "FILE", "HOCON file layered over the built-in reference.conf"),
    ];

    /// <summary>
    /// Turns <paramref name="args"/> into configuration key/value pairs. Accepts "--flag value"
    /// and "--flag=value".
    /// </summary>
    /// <exception cref="ArgumentException">An unknown flag or a flag without its value; the message says which.</exception>
    public static (IReadOnlyDictionary<string, string?> Values, bool HelpRequested) Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var help = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "-?")
            {
                help = true;
                continue;
            }
            var equals = arg.IndexOf('=');
            var name = equals > 0 ? arg[..equals] : arg;
            var flag = All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal))
                ?? throw new ArgumentException($"unknown option '{name}' (see --help)");
            string value;
            if (equals > 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count && !(args[i + 1].StartsWith("--", StringComparison.Ordinal) && All.Any(f => f.Name == args[i + 1].Split('=')[0])))
            {
                value = args[++i];
            }
            else
            {
                throw new ArgumentException($"option '{name}' needs a value: {flag.Name} {flag.ValueName}");
            }
            values[flag.Key] = value;
        }
        return (values, help);
    }

    /// <summary>Values of the flags' environment twins that are set.</summary>
    public static IReadOnlyDictionary<string, string?> FromEnvironment(Func<string, string?> getEnvironmentVariable)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var flag in All)
        {
            if (getEnvironmentVariable(flag.EnvironmentVariable) is { } value)
            {
                values[flag.Key] = value;
            }
        }
        return values;
    }

    public static string HelpText(string program, string summary)
    {
        var text = new StringBuilder();
        text.AppendLine($"{program}: {summary}");
        text.AppendLine();
        text.AppendLine($"usage: {program} [options]");
        text.AppendLine();
        foreach (var flag in All)
        {
            text.AppendLine($"  {flag.Name + " " + flag.ValueName,-34} {flag.Help}");
            text.AppendLine($"  {"",-34} env {flag.EnvironmentVariable}");
        }
        text.AppendLine($"  {"--help",-34} show this text");
        text.AppendLine();
        text.AppendLine("Every other setting is a key in hocon/reference.conf; set it in a --config file.");
        return text.ToString();
    }
}
