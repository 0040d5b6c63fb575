namespace Queue.Benchmarks.Infrastructure;

/// <summary>A benchmark scenario: starts what it needs through the context, measures, reports.</summary>
public interface IScenario
{
    /// <summary>The scenario's number in the issue ("1" to "7"), used by --only.</summary>
    string Id { get; }

    string Name { get; }

    Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken);
}
