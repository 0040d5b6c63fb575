using System.Globalization;
using System.Runtime.InteropServices;
using Npgsql;

namespace Queue.Benchmarks.Infrastructure;

/// <summary>
/// The machine a run measured: without it a figure means nothing. Load average is recorded
/// because these machines are shared; the PostgreSQL durability settings are read back from the
/// server, so the JSON itself shows the numbers are durable ones.
/// </summary>
public sealed record MachineInfo(
    int Cores,
    string? CpuModel,
    long? MemoryBytes,
    string Os,
    string DotnetVersion,
    string PostgresVersion,
    string PostgresFsync,
    string PostgresSynchronousCommit,
    string? LoadAverageAtStart)
{
    public static async Task<MachineInfo> CollectAsync(string adminConnectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(cancellationToken);
        async Task<string> Show(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        return new MachineInfo(
            Environment.ProcessorCount,
            ReadProcLine("/proc/cpuinfo", "model name")?.Split(':', 2)[1].Trim(),
            ReadMemTotal(),
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            await Show("SHOW server_version"),
            await Show("SHOW fsync"),
            await Show("SHOW synchronous_commit"),
            File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null);
    }

    public string Describe() =>
        $"{Cores} cores ({CpuModel ?? "unknown CPU"}), {(MemoryBytes is { } m ? $"{m / (1024.0 * 1024 * 1024):0.0} GiB" : "unknown")} RAM, " +
        $"{Os}, {DotnetVersion}, PostgreSQL {PostgresVersion} (fsync={PostgresFsync}, synchronous_commit={PostgresSynchronousCommit}), load average at start {LoadAverageAtStart ?? "?"}";

    private static string? ReadProcLine(string path, string prefix) =>
        File.Exists(path) ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) : null;

    private static long? ReadMemTotal()
    {
        // "MemTotal:       24682048 kB"
        var line = ReadProcLine("/proc/meminfo", "MemTotal:");
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
