using Akka.Configuration;
using Queue.Core.Configuration;

namespace Queue.Core.Tests.Configuration;

/// <summary>Loads configuration with no real environment, and --config files in a private temp directory.</summary>
internal sealed class ConfigTestHelpers : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("queue-config-tests-").FullName;

    public string WriteFile(string text, string name = "node.conf")
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    public static Config Load(IReadOnlyList<string>? args = null, Dictionary<string, string>? environment = null) =>
        QueueConfiguration.Load(args ?? [], name => environment?.GetValueOrDefault(name)).Config;

    public static QueueSettings Bind(IReadOnlyList<string>? args = null, Dictionary<string, string>? environment = null) =>
        QueueSettingsBinder.Bind(Load(args, environment));

    /// <summary>The defaults with <paramref name="hocon"/> layered over them, as a --config file would be.</summary>
    public static QueueSettings BindText(string hocon) =>
        QueueSettingsBinder.Bind(QueueConfiguration.Parse(hocon, "test.conf").WithFallback(QueueConfiguration.Defaults));

    public static string BindError(string hocon) =>
        Assert.Throws<InvalidOperationException>(() => BindText(hocon)).Message;

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
