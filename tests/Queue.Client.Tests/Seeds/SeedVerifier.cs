namespace Queue.Client.Tests.Seeds;

/// <summary>
/// The seed scenarios' assertions, the same for every way of running them: each consumer gets
/// every acknowledged message of its topics exactly once, in offset order per partition with no
/// gap, and each producer's lines in its file order; nothing else and nothing from elsewhere.
/// </summary>
internal static class SeedVerifier
{
    /// <summary>Checks the outcome; returns how many messages the server holds beyond the logs (always 0 unless <paramref name="allowUnacknowledgedCopies"/>).</summary>
    /// <param name="outcome">What the scenario produced and consumed.</param>
    /// <param name="allowUnacknowledgedCopies">
    /// When a broker is killed, a batch it committed whose acknowledgement died with it is sent
    /// again by the SDK and may be appended a second time by the new owner (producer sequence
    /// numbers are not journaled, so the new owner cannot recognise the retry). Such a copy has an
    /// offset no send was acknowledged with; with this flag set, copies of acknowledged messages
    /// of the same producer are allowed, anything else still fails.
    /// </param>
    public static long Verify(SeedOutcome outcome, bool allowUnacknowledgedCopies = false)
    {
        var producerOf = outcome.ProducerIds.ToDictionary(p => p.Value, p => p.Key.Producer);
        var extraPerTopic = new Dictionary<string, long>();
        foreach (var (consumer, topics) in outcome.Case.Consumers)
        {
            Assert.Equal(topics.Order(), outcome.Received.Keys.Where(k => k.Consumer == consumer).Select(k => k.Topic).Order());
            foreach (var topic in topics)
            {
                var received = outcome.Received[(consumer, topic)];
                var what = $"{consumer} on {topic}";
                Assert.All(received, m => Assert.Equal(outcome.TopicPrefix + topic, m.Topic));
                Assert.True(outcome.Stored[topic] == received.Count, $"{what}: {received.Count} messages, but the topic holds {outcome.Stored[topic]}");
                Assert.Equal(0, outcome.Backlog[(consumer, topic)]);

                // Per partition: offsets dense from 0, none twice, in order.
                foreach (var partition in received.GroupBy(m => m.Partition))
                {
                    Assert.Equal(Enumerable.Range(0, partition.Count()).Select(i => (long)i), partition.Select(m => m.Offset));
                }

                var byOffset = received.ToDictionary(m => new MessageOffset(m.Partition, m.Offset));
                var acknowledged = new HashSet<MessageOffset>();
                foreach (var producer in outcome.Producers.Where(p => p.Topics.Contains(topic)))
                {
                    var id = outcome.ProducerIds[(producer.Name, topic)];
                    var lines = producer.LinesFor(topic);
                    var acks = outcome.Acknowledged[(producer.Name, topic)];
                    Assert.Equal(lines.Count, acks.Count);
                    for (var i = 0; i < lines.Count; i++)
                    {
                        // Every acknowledged message arrived (offsets are dense, so exactly once), as sent.
                        Assert.True(byOffset.TryGetValue(acks[i], out var message), $"{what}: {producer.Name}'s line {i} acknowledged at {acks[i]} was not delivered");
                        Assert.Equal(lines[i], message.Value);
                        Assert.Equal(id, message.ProducerId);
                        acknowledged.Add(acks[i]);
                    }
                    // Its acknowledged messages, in the order the consumer received them, are its lines in file order.
                    var fromProducer = received.Where(m => m.ProducerId == id && acknowledged.Contains(new MessageOffset(m.Partition, m.Offset))).Select(m => m.Value).ToList();
                    Assert.True(lines.SequenceEqual(fromProducer), $"{what}: {producer.Name}'s {fromProducer.Count} messages are not its {lines.Count} lines in order");
                }
                Assert.All(received, m => Assert.True(m.ProducerId is { } pid && producerOf.ContainsKey(pid), $"{what}: message from unknown producer {m.ProducerId}"));

                var extras = received.Where(m => !acknowledged.Contains(new MessageOffset(m.Partition, m.Offset))).ToList();
                if (!allowUnacknowledgedCopies)
                {
                    Assert.True(extras.Count == 0, $"{what}: {extras.Count} messages no send was acknowledged with, e.g. {extras.FirstOrDefault()}");
                }
                foreach (var extra in extras)
                {
                    var producer = producerOf[extra.ProducerId!.Value];
                    Assert.Contains(extra.Value, outcome.Producers.Single(p => p.Name == producer).LinesFor(topic));
                }
                extraPerTopic[topic] = extras.Count;
            }
        }
        // Nothing lost: the server holds the logs' counts (plus the copies, if allowed).
        Assert.Equal(outcome.Expected.ToDictionary(e => e.Key, e => e.Value + extraPerTopic.GetValueOrDefault(e.Key)), outcome.Stored);
        return extraPerTopic.Values.Sum();
    }
}
