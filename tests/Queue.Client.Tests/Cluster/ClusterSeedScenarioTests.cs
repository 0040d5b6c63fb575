using Queue.Client.Tests.Seeds;
using Xunit.Abstractions;

namespace Queue.Client.Tests.Cluster;

/// <summary>
/// The seeds' system tests (<see cref="SeedCases"/>; they read Seeds/Data) through the
/// SDK against three brokers: in HTTP mode through an edge-only node, in cluster mode straight to
/// the partition owners, and in cluster mode with a broker killed (SIGKILL) a third of the way
/// through. One cluster serves these and ClusterClientTests; each run uses topics of its own.
/// </summary>
[Collection(ThreeBrokerCollection.Name)]
public sealed class ClusterSeedScenarioTests(ClusterFixture cluster, ITestOutputHelper output)
{
    [Theory]
    [InlineData("consistency")]
    [InlineData("2P2C")]
    [InlineData("5P3C")]
    public async Task Seed_scenario_in_http_mode_through_an_edge(string scenario)
    {
        await cluster.WaitReadyAsync();
        var outcome = await RunAsync(cluster.HttpClient(), scenario, "http", midRun: null);
        SeedVerifier.Verify(outcome);
    }

    [Theory]
    [InlineData("consistency")]
    [InlineData("2P2C")]
    [InlineData("5P3C")]
    public async Task Seed_scenario_in_cluster_mode(string scenario)
    {
        await cluster.WaitReadyAsync();
        var outcome = await RunAsync(cluster.ClusterClient(), scenario, "cluster", midRun: null);
        SeedVerifier.Verify(outcome);
    }

    [Theory]
    [InlineData("consistency")]
    [InlineData("2P2C")]
    [InlineData("5P3C")]
    public async Task Seed_scenario_in_cluster_mode_survives_a_broker_killed_mid_run(string scenario)
    {
        await cluster.WaitReadyAsync();
        var prefix = cluster.NextTopicPrefix("kill");
        var seedCase = SeedCases.ByName(scenario);
        string? victim = null;
        try
        {
            var outcome = await RunAsync(cluster.ClusterClient(), seedCase, prefix, async ct =>
            {
                // The owner of the busiest topic's first partition: the kill lands where
                // producers and consumers are working.
                var busiest = seedCase.ExpectedCounts.MaxBy(c => c.Value).Key;
                victim = await cluster.OwnerOfAsync(prefix + busiest, 0) ?? "b3";
                output.WriteLine($"killing {victim}, owner of {prefix}{busiest}/0");
                await cluster.KillBrokerAsync(victim);
            });
            Assert.NotNull(victim);
            // The victim's partitions went to the survivors (the run needed them: every
            // partition was read to its end and committed after the kill).
            var busiest = seedCase.ExpectedCounts.MaxBy(c => c.Value).Key;
            await Queue.Testing.Eventually.True(async () => await cluster.OwnerOfAsync(prefix + busiest, 0) is { } owner && owner != victim,
                TimeSpan.FromSeconds(30), $"{prefix}{busiest}/0 has moved off {victim}");
            var copies = SeedVerifier.Verify(outcome, allowUnacknowledgedCopies: true);
            output.WriteLine($"{copies} unacknowledged copies appended again after the failover");
        }
        finally
        {
            await cluster.RestartKilledBrokersAsync();
        }
    }

    private Task<SeedOutcome> RunAsync(QueueClient client, string scenario, string mode, Func<CancellationToken, Task>? midRun) =>
        RunAsync(client, SeedCases.ByName(scenario), cluster.NextTopicPrefix(mode), midRun);

    private async Task<SeedOutcome> RunAsync(QueueClient client, SeedCase seedCase, string prefix, Func<CancellationToken, Task>? midRun)
    {
        // A bound on a hung run, not a performance assertion.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var started = System.Diagnostics.Stopwatch.StartNew();
        var outcome = await new SeedScenario(client, seedCase) { TopicPrefix = prefix, MidRun = midRun }.RunAsync(timeout.Token);
        output.WriteLine($"{seedCase.Name} under {prefix}: {outcome.Stored.Values.Sum()} messages stored, run took {started.Elapsed.TotalSeconds:0.0} s");
        return outcome;
    }
}
