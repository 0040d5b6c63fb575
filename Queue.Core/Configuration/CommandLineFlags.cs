using System.Text;

namespace Queue.Core.Configuration;

/// <summary>
/// The flags both programs take. Each flag is a shortcut for one HOCON key and has an environment
/// twin (QUEUE_ + the flag in upper snake case) so containers can set the same things without a
/// command line. <see cref="QueueConfiguration.Load"/> turns both into HOCON layers.
/// </summary>
public static class CommandLineFlags
{
    /// <param name="Name">The flag, e.g. "--http-port".</param>
    /// <param name="Key">The HOCON path it sets, or null for --config (which names a file instead).</param>
    /// <param name="IsList">A comma-separated value that becomes a HOCON array.</param>
    public sealed record Flag(string Name, string? Key, string ValueName, string Help, bool IsList = false)
    {
        public string EnvironmentVariable => "QUEUE_" + Name.TrimStart('-').Replace('-', '_').ToUpperInvariant();
    }

    /// <summary>--config: the HOCON file layered over the embedded defaults.</summary>
    public static Flag Config { get; } = new("--config", null, "FILE", "HOCON file layered over the built-in hocon/akka.conf and hocon/queue.conf");

    public static IReadOnlyList<Flag> All { get; } =
    [
        new("--http-port", "queue.http.port", "PORT", "HTTP API port (default 8001)"),
        new("--port", "queue.node.port", "PORT", "Akka.Remote port (default 2552; 0 = any free port)"),
        new("--host", "queue.node.host", "HOST", "address to bind and advertise (default 127.0.0.1)"),
        new("--roles", "queue.node.roles", "ROLES", "comma-separated: broker, edge, client (default broker,edge)", IsList: true),
        new("--seed-nodes", "queue.node.seed-nodes", "HOST:PORT,...", "nodes to contact when joining a cluster", IsList: true),
        new("--node-id", "queue.node.id", "ID", "stable node name (default host:port)"),
        new("--journal", "queue.journal.kind", "KIND", "sqlite, postgres or memory (default: postgres if --postgres, else sqlite)"),
        new("--postgres", "queue.journal.postgres", "CONNSTRING", "Npgsql connection string of the postgres journal"),
        new("--data-dir", "queue.journal.data-dir", "DIR", "directory of the sqlite journal (default ./data)"),
        new("--tls-certificate", "queue.node.tls.certificate-path", "FILE", "the node's .pfx certificate; turns on TLS between nodes"),
        new("--tls-password", "queue.node.tls.certificate-password", "PASSWORD", "password of the .pfx; prefer the environment variable (a flag shows in process lists)"),
        new("--insecure-dev", "queue.node.insecure-dev", "on|off", "let a clustered node run without TLS (development only)"),
        Config,
    ];

    /// <summary>
    /// The flags in <paramref name="args"/> with their values, in command-line order (a later
    /// repetition wins). Accepts "--flag value" and "--flag=value".
    /// </summary>
    /// <exception cref="ArgumentException">An unknown flag or a flag without its value; the message says which.</exception>
    public static (IReadOnlyList<(Flag Flag, string Value)> Values, bool HelpRequested) Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new List<(Flag, string)>();
        var help = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "-?")
            {
                help = true;
                continue;
            }
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? arg[..equals] : arg;
            var flag = Find(name) ?? throw new ArgumentException($"unknown option '{name}' (see --help)");
            string value;
            if (equals > 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count && !IsFlag(args[i + 1]))
            {
                value = args[++i];
            }
            else
            {
                throw new ArgumentException($"option '{name}' needs a value: {flag.Name} {flag.ValueName}");
            }
            values.Add((flag, value));
        }
        return (values, help);
    }

    /// <summary>The flags whose environment twins are set, with their values.</summary>
    public static IReadOnlyList<(Flag Flag, string Value)> FromEnvironment(Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        var values = new List<(Flag, string)>();
        foreach (var flag in All)
        {
            if (getEnvironmentVariable(flag.EnvironmentVariable) is { } value)
            {
                values.Add((flag, value));
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
            text.AppendLine($"  {"",-34} env {flag.EnvironmentVariable}{(flag.Key is null ? "" : $", key {flag.Key}")}");
        }
        text.AppendLine($"  {"--help",-34} show this text");
        text.AppendLine();
        text.AppendLine("Precedence, lowest first: built-in defaults, --config file, QUEUE_* variables, flags.");
        text.AppendLine("Every other setting is a key in hocon/queue.conf or hocon/akka.conf; set it in a --config file.");
        return text.ToString();
    }

    private static Flag? Find(string name) => All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));

    // "--postgres --http-port 1" means --postgres lacks its value; a value that merely starts
    // with "--" but is no flag (a password, say) is still taken as a value.
    private static bool IsFlag(string arg) =>
        arg is "--help" or "-h" or "-?" || (arg.StartsWith("--", StringComparison.Ordinal) && Find(arg.Split('=')[0]) is not null);
}
