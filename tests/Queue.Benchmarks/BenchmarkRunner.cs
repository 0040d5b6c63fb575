using System.Diagnostics;
using Queue.Benchmarks.Infrastructure;
using Queue.Benchmarks.Scenarios;
using Queue.Testing;

namespace Queue.Benchmarks;

/// <summary>
/// Runs the scenarios in order against one throwaway PostgreSQL (fsync and synchronous_commit
/// on), prints the table, writes the JSON. Each scenario's processes are stopped before the next
/// starts, so scenarios never compete with each other; PostgreSQL and every process are stopped
/// at the end, however the run ends.
/// </summary>
public sealed class BenchmarkRunner(BenchmarkOptions options, TextWriter output)
{
    private static readonly IScenario[] Scenarios =
    [
        new ProduceBatchedScenario(),
        new ProduceSingleScenario(),
        new ClusterProduceScenario(),
        new LatencyScenario(),
        new FailoverScenario(),
        new RecoveryScenario(),
        new IdleMemoryScenario(),
        new RetentionProduceScenario(),
    ];

    /// <summary>0 when every scenario ran (whether or not it met its target or was not available), 1 when one failed.</summary>
    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        output.WriteLine("starting a throwaway PostgreSQL (fsync=on, synchronous_commit=on)...");
        await using var postgres = await PostgresServer.StartAsync();
        var machine = await MachineInfo.CollectAsync(postgres.AdminConnectionString, cancellationToken);
        if (machine.PostgresFsync != "on" || machine.PostgresSynchronousCommit != "on")
        {
            throw new InvalidOperationException($"refusing to measure a non-durable PostgreSQL (fsync={machine.PostgresFsync}, synchronous_commit={machine.PostgresSynchronousCommit})");
        }
        output.WriteLine($"machine: {machine.Describe()}");

        var results = new List<ScenarioResult>();
        var failed = false;
        await using var context = new BenchmarkContext(options, postgres, output);
        foreach (var scenario in Scenarios.Where(s => options.Only.Count == 0 || options.Only.Contains(s.Id)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            context.Info($"scenario {scenario.Id}: {scenario.Name}");
            try
            {
                var lines = await scenario.RunAsync(context, cancellationToken);
                results.AddRange(lines);
                foreach (var line in lines)
                {
                    context.Info($"  {line.Id}: {(line.Status == ScenarioResult.Ok ? BenchmarkReport.Format(line.Value, line.Unit) : line.Status)}" +
                                 (line.Ratio is { } r ? $" (ratio {r:0.00})" : ""));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failed = true;
                context.Info($"scenario {scenario.Id} failed: {ex}");
                results.Add(ScenarioResult.Failed(scenario.Id, scenario.Name, $"{ex.GetType().Name}: {ex.Message}"));
            }
            finally
            {
                await context.StopAllAsync();
            }
        }

        var command = "dotnet run -c Release --project tests/Queue.Benchmarks --" + (args.Count > 0 ? " " + string.Join(' ', args) : "");
        var report = new BenchmarkReport(started, command, options.Quick ? "quick" : "full", machine, clock.Elapsed.TotalSeconds,
            results.OrderBy(r => r.Id, StringComparer.Ordinal).ToList());
        output.WriteLine();
        output.WriteLine(report.ToTable());
        if (options.OutputPath is { } path)
        {
            await File.WriteAllTextAsync(path, report.ToJson(), cancellationToken);
            output.WriteLine($"wrote {Path.GetFullPath(path)}");
        }
        return failed ? 1 : 0;
    }
}
