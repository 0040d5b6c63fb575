namespace Queue.Client.Tests.Seeds;

/// <summary>What a seed scenario produced and consumed, for the tests to check.</summary>
/// <param name="Expected">Messages per topic according to the logs.</param>
/// <param name="Received">Per consumer and topic, the messages in the order received.</param>
/// <param name="ProducerIds">The producer id each seed producer registered per topic.</param>
/// <param name="Backlog">Each consumer's remaining size per topic after committing.</param>
/// <param name="Stored">Messages the server holds per topic (sum of high-water marks).</param>
internal sealed record SeedOutcome(
    IReadOnlyDictionary<string, int> Expected,
    IReadOnlyDictionary<(string Consumer, string Topic), IReadOnlyList<ConsumedMessage>> Received,
    IReadOnlyDictionary<(string Producer, string Topic), long> ProducerIds,
    IReadOnlyDictionary<(string Consumer, string Topic), long> Backlog,
    IReadOnlyDictionary<string, long> Stored);
