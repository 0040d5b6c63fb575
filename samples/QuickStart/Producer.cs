using Queue.Client;

namespace QuickStart;

/// <summary>Sends numbered log lines; batching, retries and idempotence are the SDK's job.</summary>
public static class Producer
{
    public static async Task RunAsync(QueueClient client, string topic, int count, CancellationToken cancellationToken)
    {
        await client.Admin.EnsureTopicAsync(topic, partitions: 3, cancellationToken);
        await using var producer = client.CreateProducer();

        // Not awaiting each send lets the producer batch them; awaiting them all keeps the code simple.
        var sends = Enumerable.Range(1, count)
            .Select(i => producer.SendAsync(topic, $"INFO line {i}", key: $"host-{i % 4}", cancellationToken: cancellationToken));
        foreach (var offset in await Task.WhenAll(sends))
        {
            Console.WriteLine($"sent to partition {offset.Partition} at offset {offset.Offset}");
        }
    }
}
