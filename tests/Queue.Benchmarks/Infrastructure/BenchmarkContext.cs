using System.Globalization;
using Queue.Testing;

namespace Queue.Benchmarks.Infrastructure;

/// <summary>
/// What scenarios share: the run's options, its throwaway PostgreSQL, and every process started
/// for it. Each scenario gets a fresh database and fresh nodes, so no scenario measures another's
/// leftovers; every process started here is stopped by pid when the scenario or the run ends.
/// </summary>
public sealed class BenchmarkContext : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _started = [];
    private readonly Lock _gate = new();

    public BenchmarkContext(BenchmarkOptions options, PostgresServer postgres, TextWriter log)
    {
        Options = options;
        Postgres = postgres;
        Log = log;
    }

    public BenchmarkOptions Options { get; }

    public PostgresServer Postgres { get; }

    public TextWriter Log { get; }

    public Task<string> CreateDatabaseAsync() => Postgres.CreateDatabaseAsync("bench");

    /// <summary>
    /// A Queue.Node process over <paramref name="connectionString"/>, serving once this returns.
    /// The node transport gets a free port too (unless <paramref name="transportPort"/> is given: a
    /// restart of the same node), so nodes of one run never collide on 2552.
    /// </summary>
    public async Task<NodeProcess> StartNodeAsync(string connectionString, IReadOnlyList<string>? extraArgs = null, int? transportPort = null)
    {
        string[] args = ["--postgres", connectionString, "--port", (transportPort ?? FreePort.Next()).ToString(CultureInfo.InvariantCulture), .. extraArgs ?? []];
        var node = await NodeProcess.StartAsync(args);
        Track(node);
        return node;
    }

    /// <summary>A Queue.Node process with exactly these arguments (plus a free --http-port), serving once this returns.</summary>
    public async Task<NodeProcess> StartProcessAsync(IReadOnlyList<string> args)
    {
        var node = await NodeProcess.StartAsync(args);
        Track(node);
        return node;
    }

    public async Task<HelloServerProcess> StartHelloServerAsync(CancellationToken cancellationToken)
    {
        var server = await HelloServerProcess.StartAsync(cancellationToken);
        Track(server);
        return server;
    }

    public void Info(string line) => Log.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff}] {line}");

    /// <summary>Stops everything started through this context, newest first.</summary>
    public async Task StopAllAsync()
    {
        List<IAsyncDisposable> started;
        lock (_gate)
        {
            started = [.. _started];
            _started.Clear();
        }
        started.Reverse();
        foreach (var process in started)
        {
            try
            {
                await process.DisposeAsync();
            }
            catch (Exception ex)
            {
                Info($"stopping a process failed: {ex.Message}");
            }
        }
    }

    public ValueTask DisposeAsync() => new(StopAllAsync());

    private void Track(IAsyncDisposable process)
    {
        lock (_gate)
        {
            _started.Add(process);
        }
    }
}
