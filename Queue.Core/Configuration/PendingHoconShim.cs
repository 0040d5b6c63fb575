using Microsoft.Extensions.Configuration;

namespace Queue.Core.Configuration;

// TEMPORARY: stands in for the HOCON provider until branch 'hocon' is merged; removed then.
public static class ConfigValues
{
    public static TimeSpan ParseDuration(string text, string key) => text.EndsWith("ms") ? TimeSpan.FromMilliseconds(int.Parse(text[..^2])) : text.EndsWith('s') ? TimeSpan.FromSeconds(int.Parse(text[..^1])) : text.EndsWith('m') ? TimeSpan.FromMinutes(int.Parse(text[..^1])) : TimeSpan.FromMilliseconds(int.Parse(text));
    public static long ParseSize(string text, string key) => text.EndsWith("MiB") ? long.Parse(text[..^3]) * 1024 * 1024 : long.Parse(text);
}

public static class PendingHoconExtensions
{
    public static IConfigurationBuilder AddHoconReference(this IConfigurationBuilder b) => b.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["queue:node:host"] = "127.0.0.1", ["queue:node:port"] = "2552", ["queue:node:id"] = "", ["queue:node:roles:0"] = "broker", ["queue:node:roles:1"] = "edge",
        ["queue:http:port"] = "8001", ["queue:http:request-timeout"] = "5s", ["queue:limits:max-message-bytes"] = "1MiB", ["queue:limits:max-topic-name-length"] = "249",
        ["queue:limits:max-partitions-per-topic"] = "1024", ["queue:topics:default-partitions"] = "1", ["queue:partition:mailbox-capacity"] = "10000",
        ["queue:partition:max-batch"] = "1000", ["queue:partition:idle-timeout"] = "10m", ["queue:partition:tail-cache-messages"] = "10000", ["queue:partition:read-page-size"] = "500",
        ["queue:journal:postgres"] = "", ["queue:journal:write-timeout"] = "5s", ["queue:journal:max-batch-rows"] = "5000", ["queue:journal:max-batch-bytes"] = "32MiB", ["queue:journal:startup-timeout"] = "30s",
    });
    public static IConfigurationBuilder AddHoconFile(this IConfigurationBuilder b, string path, bool optional) => b;
}

public sealed class HoconException(string m) : Exception(m);
