using System.Globalization;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Queue.Core.Configuration;

/// <summary>
/// Binds the queue.* part of a merged configuration (see <see cref="QueueConfiguration"/>) into
/// <see cref="QueueSettings"/> once, by hand rather than by reflection, so every key has one
/// obvious place and every bad value is reported together with its key before the node starts.
/// </summary>
public static class QueueSettingsBinder
{
    private static readonly string[] KnownRoles = ["broker", "edge", "client"];

    /// <exception cref="InvalidOperationException">
    /// One or more keys are wrong (type, range, unknown name, inconsistent pair); the message lists every one.
    /// </exception>
    public static QueueSettings Bind(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = new List<string>();
        var reader = new Reader(config, errors);

        var host = reader.String("queue.node.host");
        if (string.IsNullOrWhiteSpace(host))
        {
            errors.Add("queue.node.host: empty; give the address peers reach this node at");
        }
        var port = reader.Int("queue.node.port", 0, 65535);
        var nodeId = reader.String("queue.node.id");
        var roles = reader.List("queue.node.roles");
        foreach (var role in roles.Where(r => !KnownRoles.Contains(r, StringComparer.Ordinal)))
        {
            errors.Add($"queue.node.roles: unknown role '{role}' (known: {string.Join(", ", KnownRoles)})");
        }
        if (roles.Count == 0)
        {
            errors.Add($"queue.node.roles: a node needs at least one role ({string.Join(", ", KnownRoles)})");
        }
        var seedNodes = reader.List("queue.node.seed-nodes");
        foreach (var seed in seedNodes.Where(s => !IsHostAndPort(s)))
        {
            errors.Add($"queue.node.seed-nodes: '{seed}' is not host:port (port 1 to 65535)");
        }

        var node = new NodeSettings
        {
            Host = host,
            Port = port,
            NodeId = string.IsNullOrWhiteSpace(nodeId) ? $"{host}:{port}" : nodeId,
            Roles = roles,
            SeedNodes = seedNodes,
            InsecureDev = reader.Bool("queue.node.insecure-dev") ?? false,
            TlsCertificatePath = reader.String("queue.node.tls.certificate-path"),
            TlsCertificatePassword = reader.String("queue.node.tls.certificate-password"),
        };
        if (node.SeedNodes.Count > 0 && !node.HasTls && !node.InsecureDev)
        {
            errors.Add("queue.node.tls.certificate-path: a clustered node (queue.node.seed-nodes is set) needs a certificate, "
                + "or queue.node.insecure-dev = on to run without TLS (development only)");
        }
        if (node.HasTls && !File.Exists(node.TlsCertificatePath))
        {
            errors.Add($"queue.node.tls.certificate-path: no such file '{node.TlsCertificatePath}'");
        }

        var settings = new QueueSettings
        {
            Node = node,
            Http = new HttpSettings
            {
                Port = reader.Int("queue.http.port", 0, 65535),
                RequestTimeout = reader.Duration("queue.http.request-timeout"),
                MailboxWait = reader.Duration("queue.http.mailbox-wait"),
                MaxPollWait = reader.Duration("queue.http.max-poll-wait"),
            },
            Limits = new LimitSettings
            {
                MaxMessageBytes = (int)reader.Size("queue.limits.max-message-bytes", 1, 64L * 1024 * 1024),
                MaxTopicNameLength = reader.Int("queue.limits.max-topic-name-length", 1, 10_000),
                MaxPartitionsPerTopic = reader.Int("queue.limits.max-partitions-per-topic", 1, 100_000),
                DefaultPartitions = reader.Int("queue.topics.default-partitions", 1, 100_000),
            },
            Partition = new PartitionSettings
            {
                MailboxCapacity = reader.Int("queue.partition.mailbox-capacity", 1, 10_000_000),
                MaxBatch = reader.Int("queue.partition.max-batch", 1, 1_000_000),
                IdleTimeout = reader.Duration("queue.partition.idle-timeout"),
                TailCacheMessages = reader.Int("queue.partition.tail-cache-messages", 1, 10_000_000),
                ReadPageSize = reader.Int("queue.partition.read-page-size", 1, 100_000),
                SnapshotEvery = reader.Int("queue.partition.snapshot-every", 1, 10_000_000),
                SnapshotEveryMessages = reader.Int("queue.partition.snapshot-every-messages", 1, 1_000_000_000),
            },
            Journal = BindJournal(reader, errors),
            Groups = new GroupSettings
            {
                MinSessionTimeout = reader.Duration("queue.groups.min-session-timeout"),
                MaxSessionTimeout = reader.Duration("queue.groups.max-session-timeout"),
                DefaultSessionTimeout = reader.Duration("queue.groups.default-session-timeout"),
                MaxMembers = reader.Int("queue.groups.max-members", 1, 100_000),
                SnapshotEvery = reader.Int("queue.groups.snapshot-every", 1, 10_000_000),
            },
            Retention = new RetentionSettings
            {
                Ms = reader.Long("queue.retention.ms", 0, long.MaxValue),
                Messages = reader.Long("queue.retention.messages", 0, long.MaxValue),
                CheckInterval = reader.Duration("queue.retention.check-interval"),
                DeleteBatchEvents = reader.Int("queue.retention.delete-batch-events", 1, 1_000_000),
                RefreshInterval = reader.Duration("queue.retention.refresh-interval"),
            },
            Cluster = new ClusterSettings
            {
                Shards = reader.Int("queue.cluster.shards", 1, 100_000),
                LeaseEnabled = reader.Bool("queue.cluster.lease.enabled", allowAuto: true),
                LeaseTtl = reader.Duration("queue.cluster.lease.ttl"),
                LeaseRenewInterval = reader.Duration("queue.cluster.lease.renew-interval"),
                CrashDowning = reader.Bool("queue.cluster.crash-downing") ?? true,
                CrashProbeTimeout = reader.Duration("queue.cluster.crash-probe-timeout"),
            },
            Hocon = config,
        };

        if (settings.Limits.DefaultPartitions > settings.Limits.MaxPartitionsPerTopic)
        {
            errors.Add("queue.topics.default-partitions is larger than queue.limits.max-partitions-per-topic");
        }
        if (settings.Groups.MinSessionTimeout > settings.Groups.DefaultSessionTimeout || settings.Groups.DefaultSessionTimeout > settings.Groups.MaxSessionTimeout)
        {
            errors.Add("queue.groups: min-session-timeout <= default-session-timeout <= max-session-timeout must hold");
        }
        if (settings.Cluster.LeaseRenewInterval * 2 > settings.Cluster.LeaseTtl)
        {
            errors.Add("queue.cluster.lease.renew-interval must be at most half of queue.cluster.lease.ttl, or one lost renewal loses the lease");
        }
        if (settings.Cluster.LeaseEnabled == true && !settings.Journal.IsPostgres)
        {
            errors.Add("queue.cluster.lease.enabled = on needs queue.journal.kind = postgres (the lease lives in PostgreSQL)");
        }
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", errors));
        }
        return settings;
    }

    private static JournalSettings BindJournal(Reader reader, List<string> errors)
    {
        var postgres = reader.String("queue.journal.postgres");
        var kindText = reader.String("queue.journal.kind").Trim();
        JournalKind? kind = kindText.ToLowerInvariant() switch
        {
            "" or "auto" => null,
            "sqlite" => JournalKind.Sqlite,
            "postgres" or "postgresql" => JournalKind.Postgres,
            "memory" or "in-memory" => JournalKind.Memory,
            _ => null,
        };
        if (kind is null && kindText is not ("" or "auto"))
        {
            errors.Add($"queue.journal.kind = '{kindText}': unknown journal (known: sqlite, postgres, memory; empty = postgres when queue.journal.postgres is set, else sqlite)");
        }
        if (kind == JournalKind.Postgres && string.IsNullOrWhiteSpace(postgres))
        {
            errors.Add("queue.journal.kind = postgres needs queue.journal.postgres (an Npgsql connection string)");
        }
        var dataDir = reader.String("queue.journal.data-dir");
        if ((kind ?? (string.IsNullOrWhiteSpace(postgres) ? JournalKind.Sqlite : JournalKind.Postgres)) == JournalKind.Sqlite && string.IsNullOrWhiteSpace(dataDir))
        {
            errors.Add("queue.journal.data-dir: empty; the sqlite journal needs a directory");
        }

        var journal = new JournalSettings
        {
            Postgres = postgres,
            DataDir = dataDir,
            WriteTimeout = reader.Duration("queue.journal.write-timeout"),
            StartupTimeout = reader.Duration("queue.journal.startup-timeout"),
            StalledSessionTimeout = reader.Duration("queue.journal.stalled-session-timeout", allowZero: true),
            MaxBatchBytes = reader.Size("queue.journal.max-batch-bytes", 1024, 512L * 1024 * 1024),
        };
        // Auto stays unset, so the bound defaults equal new JournalSettings().
        return kind is { } explicitKind ? journal with { Kind = explicitKind } : journal;
    }

    private static bool IsHostAndPort(string text)
    {
        var colon = text.LastIndexOf(':');
        return colon > 0
            && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is >= 1 and <= 65535;
    }

    /// <summary>Reads one key at a time, turning every problem into an error line naming the key.</summary>
    private sealed class Reader(Config config, List<string> errors)
    {
        /// <summary>A scalar as text; "" (and an error) when the key is missing or not a scalar.</summary>
        public string String(string key) => Scalar(key, "a string") ?? "";

        /// <summary>HOCON booleans: on/off, true/false, yes/no; with <paramref name="allowAuto"/>, "auto" (and "") give null.</summary>
        public bool? Bool(string key, bool allowAuto = false)
        {
            var text = Scalar(key, "on or off");
            switch (text?.Trim().ToLowerInvariant())
            {
                case null:
                    return null;
                case "true" or "on" or "yes":
                    return true;
                case "false" or "off" or "no":
                    return false;
                case "auto" or "" when allowAuto:
                    return null;
                default:
                    errors.Add($"{key} = '{text}': expected on or off{(allowAuto ? " (or auto)" : "")}");
                    return null;
            }
        }

        public int Int(string key, int min, int max)
        {
            var text = Scalar(key, "a whole number");
            if (text is null)
            {
                return min;
            }
            if (!int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                errors.Add($"{key} = '{text}': expected a whole number from {min} to {max}");
                return min;
            }
            return value;
        }

        public long Long(string key, long min, long max)
        {
            var text = Scalar(key, "a whole number");
            if (text is null)
            {
                return min;
            }
            if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                errors.Add($"{key} = '{text}': expected a whole number from {min} to {max}");
                return min;
            }
            return value;
        }

        /// <summary>A positive duration in Akka's spelling ("250ms", "5s", "10m"; a bare number is milliseconds).</summary>
        public TimeSpan Duration(string key, bool allowZero = false)
        {
            var fallback = TimeSpan.FromSeconds(1);
            var text = Scalar(key, "a duration");
            if (text is null)
            {
                return fallback;
            }
            TimeSpan value;
            try
            {
                value = config.GetTimeSpan(key);
            }
            catch (Exception ex) when (ex is FormatException or OverflowException or NotSupportedException or ArgumentException)
            {
                errors.Add($"{key} = '{text}': expected a duration such as 250ms, 5s or 10m");
                return fallback;
            }
            if (value < TimeSpan.Zero || (value == TimeSpan.Zero && !allowZero))
            {
                errors.Add($"{key} = '{text}': must be positive{(allowZero ? " or 0 (off)" : "")}");
                return fallback;
            }
            return value;
        }

        /// <summary>A size in bytes in Akka's spelling ("1MiB" = 1024², "1MB" = 1000²; a bare number is bytes).</summary>
        public long Size(string key, long min, long max)
        {
            var text = Scalar(key, "a size");
            if (text is null)
            {
                return min;
            }
            long? value;
            try
            {
                value = config.GetByteSize(key);
            }
            catch (Exception ex) when (ex is FormatException or OverflowException or NotSupportedException or ArgumentException)
            {
                value = null;
            }
            if (value is not { } bytes)
            {
                errors.Add($"{key} = '{text}': expected a size such as 512KiB, 1MiB or 32MiB");
                return min;
            }
            if (bytes < min || bytes > max)
            {
                errors.Add($"{key} = '{text}' ({bytes} bytes): expected {min} to {max} bytes");
                return min;
            }
            return bytes;
        }

        /// <summary>A list of strings; a HOCON array (a flag or QUEUE_* variable becomes one too).</summary>
        public IReadOnlyList<string> List(string key)
        {
            var value = Value(key);
            if (value is null)
            {
                return [];
            }
            // Akka's parser gives an empty array ([]) as a value with no parts: neither array nor
            // string. An empty string ("") means the same here.
            if (!value.IsArray() && !value.IsObject() && string.IsNullOrWhiteSpace(value.GetString()))
            {
                return [];
            }
            if (!value.IsArray())
            {
                errors.Add($"{key}: expected a list such as [\"a\", \"b\"], found {Describe(value)}");
                return [];
            }
            try
            {
                return config.GetStringList(key).ToList();
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException or NotSupportedException or ArgumentException)
            {
                errors.Add($"{key}: expected a list of strings ({ex.Message})");
                return [];
            }
        }

        private string? Scalar(string key, string expected)
        {
            var value = Value(key);
            if (value is null)
            {
                return null;
            }
            if (!value.IsString())
            {
                errors.Add($"{key}: expected {expected}, found {Describe(value)}");
                return null;
            }
            return value.GetString() ?? "";
        }

        private HoconValue? Value(string key)
        {
            HoconValue? value;
            try
            {
                value = config.HasPath(key) ? config.GetValue(key) : null;
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or NullReferenceException)
            {
                // A parent of the key was set to something that is not an object (queue.node = 5).
                value = null;
            }
            if (value is null)
            {
                errors.Add($"{key}: missing (the built-in queue.conf sets it; did a --config file replace its section with something else?)");
            }
            return value;
        }

        private static string Describe(HoconValue value) =>
            value.IsArray() ? "a list" : value.IsObject() ? "an object" : $"'{value.GetString()}'";
    }
}
