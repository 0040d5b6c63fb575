using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Queue.Benchmarks.Infrastructure;

namespace Queue.Benchmarks.References;

/// <summary>
/// Raw PostgreSQL: Npgsql binary COPY of the rows the queue stored, into a table of the home-grown
/// journal's message shape (<see cref="ReferenceTable"/>: columns, primary key, checks), in the same
/// database, in the same batches and from as many connections as the queue's load had requests
/// in flight. Each COPY is its own committed (fsynced) transaction, as each acknowledged batch
/// is for the queue. It is what the queue's durable produce would cost with nothing in between.
/// </summary>
public static class CopyReference
{
    public static async Task<(double RowsPerSecond, TimeSpan Elapsed, long Commits)> RunAsync(
        string connectionString, long rows, int streams, int batchRows, int partitions, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var create = dataSource.CreateCommand(ReferenceTable.Create("copy_reference")))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        // Payloads prepared up front: the reference measures the database, not string building.
        var payloads = Enumerable.Range(0, batchRows).Select(i => Payloads.Message(i)).ToArray();
        var offsets = new long[partitions];
        long claimed = 0, commits = 0, nextBatch = -1;
        var clock = Stopwatch.StartNew();

        async Task Stream()
        {
            while (true)
            {
                var start = Interlocked.Add(ref claimed, batchRows) - batchRows;
                if (start >= rows)
                {
                    return;
                }
                var count = (int)Math.Min(batchRows, rows - start);
                var partition = (int)(Interlocked.Increment(ref nextBatch) % partitions);
                var first = Interlocked.Add(ref offsets[partition], count) - count;
                var now = DateTime.UtcNow;
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                await using (var copy = await connection.BeginBinaryImportAsync(
                    "COPY copy_reference (topic, partition, msg_offset, payload, producer_id, created_at) FROM STDIN (FORMAT BINARY)", cancellationToken))
                {
                    for (var i = 0; i < count; i++)
                    {
                        await copy.StartRowAsync(cancellationToken);
                        await copy.WriteAsync("bench", NpgsqlDbType.Text, cancellationToken);
                        await copy.WriteAsync(partition, NpgsqlDbType.Integer, cancellationToken);
                        await copy.WriteAsync(first + i, NpgsqlDbType.Bigint, cancellationToken);
                        await copy.WriteAsync(payloads[i], NpgsqlDbType.Text, cancellationToken);
                        await copy.WriteAsync(1L, NpgsqlDbType.Bigint, cancellationToken);
                        await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
                    }
                    // Complete = COPY done; outside a transaction block that is the commit, and
                    // synchronous_commit is on, so it returns after the WAL flush.
                    await copy.CompleteAsync(cancellationToken);
                }
                Interlocked.Increment(ref commits);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => Task.Run(Stream, cancellationToken)));
        var elapsed = clock.Elapsed;
        return (rows / elapsed.TotalSeconds, elapsed, commits);
    }
}
