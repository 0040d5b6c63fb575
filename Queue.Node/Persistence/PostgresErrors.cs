using System.Net.Sockets;
using Npgsql;
using Queue.Core.Journal;

namespace Queue.Node.Persistence;

/// <summary>
/// Sorts database failures into "the store is unavailable, retry later" (turned into
/// <see cref="JournalUnavailableException"/>, which the edge answers with 503) and everything
/// else, which is a bug or a misconfiguration and must not be disguised as a transient outage.
/// </summary>
internal static class PostgresErrors
{
    /// <summary>
    /// True for failures that may go away by themselves: the server cannot be reached, is starting
    /// or shutting down, is out of connections, or did not answer within our own time limit.
    /// </summary>
    public static bool IsUnavailable(Exception error, CancellationToken callerToken) => error switch
    {
        // Our own deadline fired (the caller's token did not): the database was too slow.
        OperationCanceledException => !callerToken.IsCancellationRequested,
        TimeoutException => true,
        PostgresException pg => IsTransientState(pg.SqlState),
        // Every NpgsqlException that is not a PostgresException is a client-side I/O failure:
        // refused, reset, broken mid-command, or a timeout while connecting.
        NpgsqlException => true,
        SocketException or IOException => true,
        _ => false,
    };

    /// <summary>
    /// Runs one database operation under the journal's time limit and turns every "unavailable"
    /// failure into <see cref="JournalUnavailableException"/>, so callers see either a result, a
    /// real error, or a retryable outage within <paramref name="timeout"/>, never a hang.
    /// </summary>
    public static async Task<T> RunAsync<T>(string operation, TimeSpan timeout, Func<CancellationToken, Task<T>> body, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await body(deadline.Token);
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw Unavailable(operation, ex);
        }
    }

    /// <summary>
    /// Wraps <paramref name="error"/> for the caller. The message names what failed, never the
    /// connection string (Npgsql's own messages do not contain the password either).
    /// </summary>
    public static JournalUnavailableException Unavailable(string operation, Exception error) =>
        new($"PostgreSQL journal unavailable while {operation}: {Describe(error)}", error);

    private static string Describe(Exception error) => error switch
    {
        OperationCanceledException or TimeoutException => "no answer within queue.journal.write-timeout",
        PostgresException pg => $"{pg.SqlState} {pg.MessageText}",
        _ => error.InnerException is SocketException socket ? socket.Message : error.Message,
    };

    // SQLSTATE classes (https://www.postgresql.org/docs/current/errcodes-appendix.html):
    // 08 connection exception, 53 insufficient resources (too many connections, disk full),
    // 57 operator intervention (admin shutdown, cannot connect now, query canceled by our
    // statement_timeout), 58 system error; 40001/40P01 serialization failure and deadlock are
    // retryable by definition.
    private static bool IsTransientState(string state) =>
        state.StartsWith("08", StringComparison.Ordinal)
        || state.StartsWith("53", StringComparison.Ordinal)
        || state.StartsWith("57", StringComparison.Ordinal)
        || state.StartsWith("58", StringComparison.Ordinal)
        || state is "40001" or "40P01";
}
