namespace Queue.Core.Log;

/// <summary>
/// How long a topic keeps its messages (docs/retention.md). Each limit bounds what is kept, as in
/// Kafka: <see cref="Messages"/> keeps at most the newest that many messages of each partition,
/// <see cref="Ms"/> lets go of messages older than that many milliseconds; a message goes as soon
/// as either set limit says so. 0 means "no limit" for that rule, and with both 0 the topic keeps
/// everything (the default).
/// </summary>
/// <param name="Version">
/// Grows by one with every change in the catalogue, so a partition told of two changes out of
/// order (a lookup answered late, a PATCH pushed early) keeps the newer one.
/// </param>
public readonly record struct RetentionPolicy(long Ms, long Messages, long Version)
{
    /// <summary>Keep everything: what topics created before retention existed have.</summary>
    public static readonly RetentionPolicy None = new(0, 0, 0);

    public bool KeepsEverything => Ms <= 0 && Messages <= 0;
}
