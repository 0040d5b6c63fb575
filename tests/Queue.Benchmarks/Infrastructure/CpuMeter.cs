using System.Globalization;
using Npgsql;

namespace Queue.Benchmarks.Infrastructure;

/// <summary>
/// Where the CPU went during a load: CPU time of the node process(es), of PostgreSQL's server
/// processes, and of this runner (the load driver), read from /proc before and after, plus how
/// busy the whole machine was (other work on a shared machine shows up there). On two cores all
/// three compete, so "CPU per message" of each is what says which one limits a figure. CPU
/// time per message is also far steadier than throughput on a machine shared with other work.
/// Linux only; elsewhere every figure is NaN.
/// </summary>
public sealed class CpuMeter
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly IReadOnlyList<int> _nodes;
    private readonly string _postgresAdmin;
    private Dictionary<string, long> _start = [];
    private int? _postmaster;
    private (long Busy, long Total) _machineStart;

    public CpuMeter(IReadOnlyList<int> nodePids, string postgresAdminConnectionString)
    {
        _nodes = nodePids;
        _postgresAdmin = postgresAdminConnectionString;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        _postmaster = await PostmasterAsync(cancellationToken);
        _start = Snapshot();
        _machineStart = Machine();
    }

    /// <summary>CPU milliseconds per 1,000 of <paramref name="units"/> for node, PostgreSQL and driver, and the machine's busy share.</summary>
    public Task<IReadOnlyDictionary<string, double>> StopAsync(long units, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!OperatingSystem.IsLinux())
        {
            return Task.FromResult<IReadOnlyDictionary<string, double>>(new Dictionary<string, double>
            {
                ["cpu_ms_per_1k_node"] = double.NaN,
                ["cpu_ms_per_1k_postgres"] = double.NaN,
                ["cpu_ms_per_1k_driver"] = double.NaN,
                ["machine_busy_pct"] = double.NaN,
            });
        }
        var end = Snapshot();
        var machineEnd = Machine();
        var perThousand = units > 0 ? 1000.0 / units : double.NaN;
        double Ms(string group) => (end.GetValueOrDefault(group) - _start.GetValueOrDefault(group)) * 1000.0 / TicksPerSecond * perThousand;
        var total = machineEnd.Total - _machineStart.Total;
        return Task.FromResult<IReadOnlyDictionary<string, double>>(new Dictionary<string, double>
        {
            ["cpu_ms_per_1k_node"] = Ms("node"),
            ["cpu_ms_per_1k_postgres"] = Ms("postgres"),
            ["cpu_ms_per_1k_driver"] = Ms("driver"),
            ["machine_busy_pct"] = total > 0 ? 100.0 * (machineEnd.Busy - _machineStart.Busy) / total : double.NaN,
        });
    }

    private Dictionary<string, long> Snapshot() => new()
    {
        ["node"] = _nodes.Sum(p => ProcessTicks(p, withReapedChildren: false) ?? 0),
        // The postmaster's own time plus what its exited children left it (cutime, cstime),
        // plus its live children: every backend's CPU, also of connections closed meanwhile.
        ["postgres"] = _postmaster is { } pm
            ? (ProcessTicks(pm, withReapedChildren: true) ?? 0) + ChildrenOf(pm).Sum(c => ProcessTicks(c, withReapedChildren: false) ?? 0)
            : 0,
        ["driver"] = ProcessTicks(Environment.ProcessId, withReapedChildren: false) ?? 0,
    };

    /// <summary>The postmaster: the parent of any backend.</summary>
    private async Task<int?> PostmasterAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(_postgresAdmin);
        await connection.OpenAsync(cancellationToken);
        return ParentOf(connection.ProcessID);
    }

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && ParentOf(pid) == parent)
            {
                yield return pid;
            }
        }
    }

    private static int? ParentOf(int pid) =>
        StatFields(pid) is { } fields ? int.Parse(fields[1], CultureInfo.InvariantCulture) : null;

    /// <summary>The fields of /proc/pid/stat after "(comm) ": [0] state, [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime.</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? ProcessTicks(int pid, bool withReapedChildren)
    {
        if (StatFields(pid) is not { } f)
        {
            return null;
        }
        long Field(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
        return Field(11) + Field(12) + (withReapedChildren ? Field(13) + Field(14) : 0);
    }

    private static (long Busy, long Total) Machine()
    {
        try
        {
            // "cpu  user nice system idle iowait irq softirq steal ..."
            var values = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var total = values.Take(8).Sum();
            var idle = values[3] + values[4];
            return (total - idle, total);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return (0, 0);
        }
    }
}
