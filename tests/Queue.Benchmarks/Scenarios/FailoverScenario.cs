using Queue.Benchmarks.Infrastructure;

namespace Queue.Benchmarks.Scenarios;

/// <summary>
/// Scenario 5: kill -9 a broker of a 3-broker cluster under light load; the time until every
/// partition it owned serves again through the edge.
/// <para>
/// To enable once the cluster is merged: the topology of <see cref="ClusterProduceScenario"/>;
/// a prober that produces one message to each partition (v1, explicit "partition") every 10 ms;
/// <c>NodeProcess.KillAsync</c> on one broker; the figure is the time from the kill until every
/// partition that failed after it has answered 200 again (max over partitions), with the number
/// of partitions that failed as a detail (0 means the victim owned nothing: pick another).
/// </para>
/// </summary>
public sealed class FailoverScenario : IScenario
{
    public string Id => "5";

    public string Name => "failover: kill -9 a broker → its partitions serve again";

    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var reason = await ClusterProbe.WhyNotAvailableAsync(context, cancellationToken) ?? "cluster mode answers, but this runner does not drive it yet (see FailoverScenario)";
        return [ScenarioResult.NotAvailable(Id, Name, reason, "< 5 s")];
    }
}
