using System.Diagnostics;
using Npgsql;
using Queue.Benchmarks.Infrastructure;

namespace Queue.Benchmarks.References;

/// <summary>
/// The floor under any durable acknowledgement on this machine: one 100-byte row inserted and
/// committed (WAL flushed) per round trip, one after another, on an open connection.
/// </summary>
public static class CommitLatencyReference
{
    public static async Task<IReadOnlyList<double>> RunAsync(string connectionString, int commits, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var create = new NpgsqlCommand(ReferenceTable.Create("commit_reference"), connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var insert = new NpgsqlCommand(
            "INSERT INTO commit_reference (topic, partition, msg_offset, payload, producer_id, created_at) VALUES ('bench', 0, $1, $2, 1, now())", connection);
        insert.Parameters.Add(new NpgsqlParameter { Value = 0L });
        insert.Parameters.Add(new NpgsqlParameter { Value = Payloads.Message(0) });
        await insert.PrepareAsync(cancellationToken);
        var latencies = new List<double>(commits);
        for (var i = 0; i < commits; i++)
        {
            insert.Parameters[0].Value = (long)i;
            var started = Stopwatch.GetTimestamp();
            await insert.ExecuteNonQueryAsync(cancellationToken);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        latencies.Sort();
        return latencies;
    }
}
