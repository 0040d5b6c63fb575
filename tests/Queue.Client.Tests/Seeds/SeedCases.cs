namespace Queue.Client.Tests.Seeds;

/// <summary>
/// The seeds' system tests as data, shared by the single-node run and the 3-broker runs (HTTP,
/// cluster mode, broker killed). These cases read the seed data in Seeds/Data (copied beside the
/// test binaries); loading fails naming the path if it is missing.
///
/// Producers and their topics come from the logs: a producer registers for exactly the topics
/// in the last column of its lines. In consistency/ (and 5P3C/, the same data with topics
/// T1..T3): producer_1 → T-1, T-2, T-3 (331 each); producer_2 → T-1 (497), T-3 (496);
/// producer_3 → T-1 (993); producer_4 → T-2 (993); producer_5 → T-2 (993). Summed per topic that
/// is T-1 = 331 + 497 + 993 = 1821, T-2 = 331 + 993 + 993 = 2317, T-3 = 331 + 496 = 827: the
/// counts 1821/2317/827 are per topic, so any consumer registered for a topic must receive
/// exactly that topic's count. The logs hold no consumer files, so which topics each consumer
/// registers for is not in the data; we use the assignment's registrations (consumer_1 → all
/// three topics, consumer_2 and consumer_3 → T-1 and T-3), which give every topic at least one
/// reader, and check the same invariant whatever the subsets are: each consumer receives exactly
/// its topics' messages (4965, 2648, 2648), nothing else, no duplicates, each producer's order kept.
/// </summary>
internal static class SeedCases
{
    /// <summary>Five producers, three consumers, one partition per topic.</summary>
    public static SeedCase Consistency { get; } = new(
        "consistency",
        Partitions: 1,
        new Dictionary<string, string[]>
        {
            ["consumer_1"] = ["T-1", "T-2", "T-3"],
            ["consumer_2"] = ["T-1", "T-3"],
            ["consumer_3"] = ["T-1", "T-3"],
        },
        new Dictionary<string, int> { ["T-1"] = 1821, ["T-2"] = 2317, ["T-3"] = 827 });

    /// <summary>
    /// 2P2C: producer_1 and producer_2 each send 3 lines to T1 and 2 to T2. consumer_1 reads both
    /// topics and consumer_2 only T1, so both a full and a partial subscription are checked. Two
    /// partitions, keyed by producer.
    /// </summary>
    public static SeedCase TwoProducersTwoConsumers { get; } = new(
        "2P2C",
        Partitions: 2,
        new Dictionary<string, string[]> { ["consumer_1"] = ["T1", "T2"], ["consumer_2"] = ["T1"] },
        new Dictionary<string, int> { ["T1"] = 6, ["T2"] = 4 });

    /// <summary>
    /// 5P3C: the consistency data under topic names T1..T3, with three partitions per topic and
    /// each producer keyed by its name, so order is checked across a multi-partition consumer too.
    /// </summary>
    public static SeedCase FiveProducersThreeConsumers { get; } = new(
        "5P3C",
        Partitions: 3,
        new Dictionary<string, string[]>
        {
            ["consumer_1"] = ["T1", "T2", "T3"],
            ["consumer_2"] = ["T1", "T3"],
            ["consumer_3"] = ["T1", "T3"],
        },
        new Dictionary<string, int> { ["T1"] = 1821, ["T2"] = 2317, ["T3"] = 827 });

    /// <summary>The cases by name, for theories (xUnit shows the name).</summary>
    public static SeedCase ByName(string name) =>
        new[] { Consistency, TwoProducersTwoConsumers, FiveProducersThreeConsumers }.Single(c => c.Name == name);
}
