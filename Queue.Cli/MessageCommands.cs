using System.CommandLine;
using Queue.Client;
using Spectre.Console;

namespace Queue.Cli;

/// <summary><c>produce TOPIC</c> and <c>consume TOPIC</c>, through the SDK's producer and consumer.</summary>
public static class MessageCommands
{
    // Sends this many at a time and waits for them: the SDK batches what is outstanding into
    // requests of up to its batch size, and the window bounds memory for huge inputs.
    private const int Window = 5_000;

    // Below this a progress bar only flickers.
    private const int ProgressThreshold = 1_000;

    public static Command Produce(Func<ParseResult, CliContext> context)
    {
        var topic = new Argument<string>("topic") { Description = "Topic to append to (must exist)" };
        var messages = new Option<string[]>("--message", "-m") { Description = "A message (repeatable); without it, each non-empty line of standard input is one message", AllowMultipleArgumentsPerToken = false };
        var key = new Option<string?>("--key", "-k") { Description = "Key: messages with the same key go to the same partition" };
        var produce = new Command("produce", "Append messages to a topic, batched through the SDK") { topic, messages, key };
        produce.SetAction(async (parsed, ct) =>
        {
            var cli = context(parsed);
            var name = parsed.GetValue(topic)!;
            var given = parsed.GetValue(messages) ?? [];
            var lines = given.Length > 0 ? given.ToList() : await ReadLinesAsync(cli.Stdin, ct);
            if (lines.Count == 0)
            {
                throw new UsageException("nothing to produce: give --message or pipe lines into standard input");
            }
            await using var client = cli.Connect();
            await using var producer = client.CreateProducer();
            var k = parsed.GetValue(key);
            if (lines.Count >= ProgressThreshold && cli.Console.Profile.Capabilities.Interactive)
            {
                await cli.Console.Progress().StartAsync(async progress =>
                {
                    var task = progress.AddTask($"produce to {Markup.Escape(name)}", maxValue: lines.Count);
                    await SendAllAsync(producer, name, k, lines, sent => task.Increment(sent), ct);
                });
            }
            else
            {
                await SendAllAsync(producer, name, k, lines, _ => { }, ct);
            }
            cli.Console.WriteLine($"Produced {lines.Count} message(s) to '{name}'");
            return ExitCodes.Ok;
        });
        return produce;
    }

    public static Command Consume(Func<ParseResult, CliContext> context)
    {
        var topic = new Argument<string>("topic") { Description = "Topic to read" };
        var from = new Option<string>("--from") { Description = "Where a new consumer starts: earliest or latest", DefaultValueFactory = _ => "latest" };
        from.AcceptOnlyFromAmong("earliest", "latest");
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep waiting for new messages until Ctrl+C; without it, stop once caught up" };
        var consumerId = new Option<long?>("--consumer-id") { Description = "Resume a registered consumer instead of registering a new one" };
        var max = new Option<int?>("--max", "-n") { Description = "Stop after this many messages" };
        var consume = new Command("consume", "Print a topic's messages, one per line, committing as it goes") { topic, from, follow, consumerId, max };
        consume.SetAction(async (parsed, ct) =>
        {
            var cli = context(parsed);
            var limit = parsed.GetValue(max);
            if (limit is < 1)
            {
                throw new UsageException($"--max must be at least 1, got {limit}");
            }
            await using var client = cli.Connect();
            await using var consumer = await client.CreateConsumerAsync(parsed.GetValue(topic)!, new QueueConsumerOptions
            {
                From = parsed.GetValue(from) == "earliest" ? ConsumerStart.Earliest : ConsumerStart.Latest,
                ConsumerId = parsed.GetValue(consumerId),
                PollWait = TimeSpan.FromSeconds(1),
            }, ct);
            cli.Error.WriteLine($"consumer {consumer.ConsumerId} on '{consumer.Topic}'");
            // Without --follow: read up to the high-water marks seen now, then stop.
            var goal = parsed.GetValue(follow) ? null : (await consumer.GetPositionsAsync(ct)).ToDictionary(p => p.Partition);
            var pending = goal?.Values.Where(p => p.Position < p.HighWatermark).Select(p => p.Partition).ToHashSet();
            if (pending is { Count: 0 })
            {
                return ExitCodes.Ok;
            }
            var count = 0;
            try
            {
                await foreach (var message in consumer.ConsumeAsync(ct))
                {
                    cli.Console.WriteLine(message.Value);
                    count++;
                    var caughtUp = pending is not null && message.Offset + 1 >= goal![message.Partition].HighWatermark
                        && pending.Remove(message.Partition) && pending.Count == 0;
                    if (caughtUp || (limit is { } l && count >= l))
                    {
                        // Printed is processed: without this the last one printed would count as
                        // unprocessed (the SDK commits a message when the loop asks for the next).
                        await consumer.CommitAsync(message, ct);
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl+C under --follow: the consumer committed what was printed on its way out.
            }
            return ExitCodes.Ok;
        });
        return consume;
    }

    private static async Task SendAllAsync(QueueProducer producer, string topic, string? key, List<string> lines, Action<int> sent, CancellationToken ct)
    {
        for (var start = 0; start < lines.Count; start += Window)
        {
            var window = lines.Skip(start).Take(Window).Select(line => producer.SendAsync(topic, line, key, null, ct)).ToList();
            await Task.WhenAll(window);
            sent(window.Count);
        }
    }

    private static async Task<List<string>> ReadLinesAsync(TextReader input, CancellationToken ct)
    {
        var lines = new List<string>();
        while (await input.ReadLineAsync(ct) is { } line)
        {
            if (line.Length > 0)
            {
                lines.Add(line);
            }
        }
        return lines;
    }
}
