using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Queue.Core.Configuration;

/// <summary>
/// Binds the "queue" section into <see cref="QueueSettings"/> once, by hand rather than by
/// reflection, so every key has one obvious place, durations and sizes keep HOCON's spelling,
/// and every bad value is reported together with its key before the node starts.
/// </summary>
public static class QueueSettingsBinder
{
    public static QueueSettings Bind(IConfiguration configuration)
    {
        var errors = new List<string>();
        var reader = new Reader(configuration, errors);

        var host = reader.String("queue:node:host");
        var port = reader.Int("queue:node:port", 1, 65535);
        var nodeId = reader.String("queue:node:id");
        var roles = reader.List("queue:node:roles");
        foreach (var role in roles.Where(r => r is not ("broker" or "edge")))
        {
            errors.Add($"queue.node.roles: unknown role '{role}' (known: broker, edge)");
        }
        if (roles.Count == 0)
        {
            errors.Add("queue.node.roles: a node needs at least one role (broker, edge)");
        }

        var settings = new QueueSettings
        {
            Node = new NodeSettings
            {
                Host = host,
                Port = port,
                NodeId = string.IsNullOrWhiteSpace(nodeId) ? $"{host}:{port}" : nodeId,
                Roles = roles,
                SeedNodes = reader.List("queue:node:seed-nodes"),
                ClusterSecret = reader.String("queue:node:cluster-secret"),
            },
            Http = new HttpSettings
            {
                Port = reader.Int("queue:http:port", 1, 65535),
                RequestTimeout = reader.Duration("queue:http:request-timeout"),
                MailboxWait = reader.Duration("queue:http:mailbox-wait"),
                MaxPollWait = reader.Duration("queue:http:max-poll-wait"),
            },
            Limits = new LimitSettings
            {
                MaxMessageBytes = (int)reader.Size("queue:limits:max-message-bytes", 1, 64L * 1024 * 1024),
                MaxTopicNameLength = reader.Int("queue:limits:max-topic-name-length", 1, 10_000),
                MaxPartitionsPerTopic = reader.Int("queue:limits:max-partitions-per-topic", 1, 100_000),
                DefaultPartitions = reader.Int("queue:topics:default-partitions", 1, 100_000),
            },
            Partition = new PartitionSettings
            {
                MailboxCapacity = reader.Int("queue:partition:mailbox-capacity", 1, 10_000_000),
                MaxBatch = reader.Int("queue:partition:max-batch", 1, 1_000_000),
                IdleTimeout = reader.Duration("queue:partition:idle-timeout"),
                TailCacheMessages = reader.Int("queue:partition:tail-cache-messages", 1, 10_000_000),
                ReadPageSize = reader.Int("queue:partition:read-page-size", 1, 100_000),
            },
            Journal = new JournalSettings
            {
                Postgres = reader.String("queue:journal:postgres"),
                WriteTimeout = reader.Duration("queue:journal:write-timeout"),
                MaxBatchRows = reader.Int("queue:journal:max-batch-rows", 1, 1_000_000),
            },
        };

        if (settings.Limits.DefaultPartitions > settings.Limits.MaxPartitionsPerTopic)
        {
            errors.Add("queue.topics.default-partitions is larger than queue.limits.max-partitions-per-topic");
        }
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", errors));
        }
        return settings;
    }

    private sealed class Reader(IConfiguration configuration, List<string> errors)
    {
        public string String(string key) => configuration[key] ?? "";

        public int Int(string key, int min, int max)
        {
            var text = configuration[key];
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                errors.Add($"{Dotted(key)} = '{text}': expected a whole number from {min} to {max}");
                return min;
            }
            return value;
        }

        public TimeSpan Duration(string key)
        {
            try
            {
                var value = ConfigValues.ParseDuration(configuration[key] ?? "", Dotted(key));
                if (value <= TimeSpan.Zero)
                {
                    errors.Add($"{Dotted(key)} must be positive");
                }
                return value;
            }
            catch (FormatException ex)
            {
                errors.Add(ex.Message);
                return TimeSpan.FromSeconds(1);
            }
        }

        public long Size(string key, long min, long max)
        {
            try
            {
                var value = ConfigValues.ParseSize(configuration[key] ?? "", Dotted(key));
                if (value < min || value > max)
                {
                    errors.Add($"{Dotted(key)} = {value} bytes: expected {min} to {max}");
                }
                return value;
            }
            catch (FormatException ex)
            {
                errors.Add(ex.Message);
                return min;
            }
        }

        public IReadOnlyList<string> List(string key) => ConfigValues.GetList(configuration.GetSection(key));

        private static string Dotted(string key) => key.Replace(':', '.');
    }
}
