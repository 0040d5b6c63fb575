namespace Queue.Client.Tests.Seeds;

/// <summary>
/// The seeds' system tests (<see cref="SeedCases"/>), run through the SDK against one in-process
/// node. These tests read the seed data in Seeds/Data (copied beside the test binaries) and
/// fail naming the path if it is missing. The same cases run against a 3-broker cluster in
/// Cluster/ClusterSeedScenarioTests.
/// </summary>
public sealed class SeedScenarioTests : IAsyncLifetime
{
    private ClientNode _node = null!;

    public async Task InitializeAsync() => _node = await ClientNode.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Consistency_five_producers_three_consumers_on_one_partition_per_topic()
    {
        var outcome = await RunAsync(SeedCases.Consistency);

        SeedVerifier.Verify(outcome);
        Assert.Equal(4965, outcome.Received.Where(r => r.Key.Consumer == "consumer_1").Sum(r => r.Value.Count));
        Assert.Equal(2648, outcome.Received.Where(r => r.Key.Consumer == "consumer_2").Sum(r => r.Value.Count));
    }

    [Fact]
    public async Task Two_producers_two_consumers() => SeedVerifier.Verify(await RunAsync(SeedCases.TwoProducersTwoConsumers));

    [Fact]
    public async Task Five_producers_three_consumers_over_three_partitions() => SeedVerifier.Verify(await RunAsync(SeedCases.FiveProducersThreeConsumers));

    private async Task<SeedOutcome> RunAsync(SeedCase seedCase)
    {
        // A bound on a hung run, not a performance assertion.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        return await new SeedScenario(_node.Client, seedCase).RunAsync(timeout.Token);
    }
}
