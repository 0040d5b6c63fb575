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
                InsecureDev = reader.Bool("queue:node:insecure-dev"),
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
                MaxBatchBytes = reader.Size("queue:journal:max-batch-bytes", 1024, 512L * 1024 * 1024),
                StartupTimeout = reader.Duration("queue:journal:startup-timeout"),
            },
            Transport = new TransportSettings
            {
                // The floor leaves room for the frame header and a handshake.
                MaxFrameBytes = (int)reader.Size("queue:transport:max-frame-bytes", 1024, 1024L * 1024 * 1024),
                ConnectTimeout = reader.Duration("queue:transport:connect-timeout"),
                HandshakeTimeout = reader.Duration("queue:transport:handshake-timeout"),
                RequestTimeout = reader.Duration("queue:transport:request-timeout"),
                ReconnectMinBackoff = reader.Duration("queue:transport:reconnect-min-backoff"),
                ReconnectMaxBackoff = reader.Duration("queue:transport:reconnect-max-backoff"),
                MaxInFlightPerConnection = reader.Int("queue:transport:max-in-flight-per-connection", 1, 1_000_000),
                HeartbeatInterval = reader.Duration("queue:transport:heartbeat-interval"),
                HeartbeatTimeout = reader.Duration("queue:transport:heartbeat-timeout"),
            },
            Cluster = new ClusterSettings
            {
                Shards = reader.Int("queue:cluster:shards", 1, 100_000),
                HeartbeatInterval = reader.Duration("queue:cluster:heartbeat-interval"),
                UnreachableAfter = reader.Duration("queue:cluster:unreachable-after"),
                DownAfter = reader.Duration("queue:cluster:down-after"),
                LeaseTtl = reader.Duration("queue:cluster:lease-ttl"),
                LeaseRenewInterval = reader.Duration("queue:cluster:lease-renew-interval"),
                LeaseSafetyMargin = reader.Duration("queue:cluster:lease-safety-margin"),
                RebalanceInterval = reader.Duration("queue:cluster:rebalance-interval"),
                MaxSimultaneousRebalance = reader.Int("queue:cluster:max-simultaneous-rebalance", 1, 100_000),
                HandOffTimeout = reader.Duration("queue:cluster:hand-off-timeout"),
            },
        };

        var cluster = settings.Cluster;
        if (cluster.UnreachableAfter <= cluster.HeartbeatInterval || cluster.DownAfter <= cluster.UnreachableAfter)
        {
            errors.Add("queue.cluster: expected heartbeat-interval < unreachable-after < down-after");
        }
        if (cluster.LeaseRenewInterval + cluster.LeaseSafetyMargin >= cluster.LeaseTtl)
        {
            errors.Add("queue.cluster: lease-renew-interval plus lease-safety-margin must be shorter than lease-ttl, or the manager steps down between renewals");
        }

        if (settings.Limits.DefaultPartitions > settings.Limits.MaxPartitionsPerTopic)
        {
            errors.Add("queue.topics.default-partitions is larger than queue.limits.max-partitions-per-topic");
        }
        if (settings.Transport.ReconnectMaxBackoff < settings.Transport.ReconnectMinBackoff)
        {
            errors.Add("queue.transport.reconnect-max-backoff is smaller than queue.transport.reconnect-min-backoff");
        }
        if (settings.Transport.HeartbeatTimeout <= settings.Transport.HeartbeatInterval)
        {
            errors.Add("queue.transport.heartbeat-timeout must be longer than queue.transport.heartbeat-interval");
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

        /// <summary>HOCON booleans: true/false, on/off, yes/no.</summary>
        public bool Bool(string key)
        {
            var text = configuration[key];
            switch (text?.Trim().ToLowerInvariant())
            {
                case "true" or "on" or "yes":
                    return true;
                case "false" or "off" or "no" or "" or null:
                    return false;
                default:
                    errors.Add($"{Dotted(key)} = '{text}': expected on/off (true/false, yes/no)");
                    return false;
            }
        }

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
