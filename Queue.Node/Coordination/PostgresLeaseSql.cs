using System.Text.RegularExpressions;

namespace Queue.Node.Coordination;

/// <summary>
/// The lease's SQL in one place. Every expiry is judged by the database's <c>now()</c>, so the
/// nodes' clocks never have to agree. The table name comes from configuration and cannot be a
/// parameter, hence the strict identifier check.
/// </summary>
internal static partial class PostgresLeaseSql
{
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$")]
    private static partial Regex Identifier();

    public static string ValidateTable(string table) =>
        Identifier().IsMatch(table)
            ? table
            : throw new ArgumentException($"Lease table name [{table}] must be a plain (optionally schema-qualified) SQL identifier.", nameof(table));

    public static string CreateTable(string table) => $"""
        CREATE TABLE IF NOT EXISTS {table} (
            name       text        PRIMARY KEY,
            owner      text        NOT NULL,
            expires_at timestamptz NOT NULL,
            fencing    bigint      NOT NULL
        )
        """;

    /// <summary>
    /// Takes a free or lapsed lease, or re-takes our own. The fencing counter moves only when the
    /// owner changes, so a holder re-acquiring (or a restarted node under the same owner name)
    /// keeps its token, while any hand-over makes it strictly larger. No row back = held by someone else.
    /// </summary>
    public static string Acquire(string table) => $"""
        INSERT INTO {table} AS lease (name, owner, expires_at, fencing)
        VALUES (@name, @owner, now() + @ttl, 1)
        ON CONFLICT (name) DO UPDATE
            SET owner = EXCLUDED.owner,
                expires_at = EXCLUDED.expires_at,
                fencing = CASE WHEN lease.owner = EXCLUDED.owner THEN lease.fencing ELSE lease.fencing + 1 END
            WHERE lease.owner = EXCLUDED.owner OR lease.expires_at < now()
        RETURNING fencing
        """;

    /// <summary>
    /// Extends our lease. Matching the fencing token too means that if the lease went to another
    /// owner and back to us in between (possible only if we were cut off for longer than the TTL),
    /// the renewal is refused rather than silently bridging the gap.
    /// </summary>
    public static string Renew(string table) => $"""
        UPDATE {table} SET expires_at = now() + @ttl
        WHERE name = @name AND owner = @owner AND fencing = @fencing
        RETURNING fencing
        """;

    /// <summary>
    /// Gives the lease up by making it lapse rather than deleting the row: the row carries the
    /// fencing counter, and a deleted row would restart it at 1 for the next owner.
    /// </summary>
    public static string Release(string table) => $"""
        UPDATE {table} SET expires_at = '-infinity'
        WHERE name = @name AND owner = @owner
        """;

    /// <summary>
    /// Lets every lease of an owner whose process is gone lapse now, on another node's word
    /// (<see cref="GoneOwnerLeases"/>). Only rows last acquired or renewed before the process was
    /// known gone (<c>@gone_for</c> ago): a new incarnation on the same address has the same owner
    /// name, and whatever it took since then (its expiry is later) is left alone.
    /// </summary>
    public static string ReleaseGoneOwner(string table) => $"""
        UPDATE {table} SET expires_at = '-infinity'
        WHERE owner = @owner AND expires_at > now() AND expires_at <= now() - @gone_for + @ttl
        RETURNING name
        """;
}
