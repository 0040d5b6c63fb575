using Npgsql;

namespace Queue.Node.Persistence;

/// <summary>Builds the journal's data source and describes connection strings safely for logs.</summary>
internal static class PostgresConnection
{
    /// <summary>
    /// The connection string as it may be logged: host, port, database and user, never the
    /// password (nor anything else that is not needed to recognise the target).
    /// </summary>
    public static string Describe(string connectionString)
    {
        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(connectionString);
            return $"Host={parsed.Host};Port={parsed.Port};Database={parsed.Database};Username={parsed.Username}";
        }
        catch (ArgumentException)
        {
            // Do not echo a string we could not parse: it may hold a password in any shape.
            return "(unparsable connection string)";
        }
    }

    /// <summary>
    /// A data source for the journal. Settings the operator did not choose get values that fit
    /// the journal's time limit: connecting may not take longer than one operation may, and an
    /// application name makes the node's sessions easy to find in pg_stat_activity.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString, TimeSpan operationTimeout, string nodeId)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var defaults = new NpgsqlConnectionStringBuilder();
        var seconds = Math.Max(1, (int)Math.Ceiling(operationTimeout.TotalSeconds));
        if (builder.Timeout == defaults.Timeout)
        {
            builder.Timeout = seconds;
        }
        if (builder.CommandTimeout == defaults.CommandTimeout)
        {
            builder.CommandTimeout = seconds;
        }
        if (!Names(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            // Prepare the statements the journal repeats (the group commit above all) on each
            // pooled connection. The commit statement is a CTE over unnest'ed arrays whose
            // parse and plan cost PostgreSQL about 0.4 ms every time: about two thirds of the
            // server CPU of a commit of 18 small messages (docs/benchmarks.md). Operators behind
            // a transaction-pooling proxy that cannot keep prepared statements set
            // "Max Auto Prepare=0" in their connection string, which is left as they set it.
            builder.MaxAutoPrepare = 32;
        }
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = $"akkaqueue {nodeId}";
        }
        return new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
    }

    /// <summary>Whether the operator's connection string sets a key (under any of its spellings) at all, default value included.</summary>
    private static bool Names(string connectionString, params string[] keys)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        return keys.Any(key => given.Keys.Cast<string>().Any(k => string.Equals(k.Replace(" ", ""), key.Replace(" ", ""), StringComparison.OrdinalIgnoreCase)));
    }
}
