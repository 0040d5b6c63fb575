namespace Queue.Benchmarks.References;

/// <summary>
/// The row shape the references write: the home-grown journal's <c>messages</c> table (one row
/// per message; primary key (topic, partition, msg_offset), checks). That table is gone since the
/// node journals through Akka.Persistence.Sql, but the references keep its exact shape so that
/// ratios stay comparable with the figures measured before the change (docs/benchmarks.md).
/// </summary>
public static class ReferenceTable
{
    /// <summary>DROP and CREATE of a table of that shape named <paramref name="name"/>.</summary>
    public static string Create(string name) => $"""
        DROP TABLE IF EXISTS {name};
        CREATE TABLE {name} (
            topic       text        NOT NULL,
            partition   integer     NOT NULL,
            msg_offset  bigint      NOT NULL CHECK (msg_offset >= 0),
            payload     text        NOT NULL,
            producer_id bigint      NOT NULL,
            created_at  timestamptz NOT NULL,
            PRIMARY KEY (topic, partition, msg_offset)
        );
        """;
}
