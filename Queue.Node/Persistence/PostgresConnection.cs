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
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = $"akkaqueue {nodeId}";
        }
        return new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
    }
}
