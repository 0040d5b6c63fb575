using Queue.Benchmarks.Infrastructure;

namespace Queue.Benchmarks.Scenarios;

/// <summary>
/// Scenario 3: scenario 1's load on 3 brokers + 1 edge, all on this machine.
/// <para>
/// To enable once the cluster is merged: start three nodes with <c>--roles broker</c>, the first
/// without and the others with <c>--seed-nodes 127.0.0.1:&lt;first's --port&gt;</c> and one
/// <c>--cluster-secret</c>, plus one node with <c>--roles edge</c> and the same seeds, all on one
/// database (<see cref="BenchmarkContext.StartNodeAsync"/> takes the extra flags); wait until a
/// produce to every partition through the edge answers 200; then run
/// <see cref="ProduceBatchedScenario.RunLoadAsync"/> against the edge and COPY as in scenario 1.
/// </para>
/// </summary>
public sealed class ClusterProduceScenario : IScenario
{
    public string Id => "3";

    public string Name => $"durable produce, v1 batches of {ProduceBatchedScenario.BatchSize}, 3 brokers + 1 edge, {ProduceBatchedScenario.Partitions} partitions";

    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var reason = await ClusterProbe.WhyNotAvailableAsync(context, cancellationToken) ?? "cluster mode answers, but this runner does not drive it yet (see ClusterProduceScenario)";
        return [ScenarioResult.NotAvailable(Id, Name, reason, "ratio >= 0.5 (as scenario 1)")];
    }
}
