using Queue.Client;

namespace QuickStart;

/// <summary>Reads a topic from the start; processed messages are committed automatically (at-least-once).</summary>
public static class Consumer
{
    public static async Task<int> RunAsync(QueueClient client, string topic, int? stopAfter, CancellationToken cancellationToken)
    {
        await using var consumer = await client.CreateConsumerAsync(topic, new QueueConsumerOptions { From = ConsumerStart.Earliest }, cancellationToken);
        Console.WriteLine($"consumer {consumer.ConsumerId}: {await consumer.SizeAsync(cancellationToken)} messages waiting");

        var received = 0;
        await foreach (var message in consumer.ConsumeAsync(cancellationToken))
        {
            Console.WriteLine($"{message.Partition}/{message.Offset}: {message.Value}");
            if (++received == stopAfter)
            {
                break;
            }
        }
        return received;
    }
}
