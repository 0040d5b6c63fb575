using Queue.Client;
using QuickStart;

// dotnet run --project samples/QuickStart -- produce [topic] [count]
// dotnet run --project samples/QuickStart -- consume [topic]        (Ctrl+C stops)
// The node's address comes from QUEUE_URL (default http://127.0.0.1:8001/).
var url = Environment.GetEnvironmentVariable("QUEUE_URL") ?? "http://127.0.0.1:8001/";
var topic = args.Length > 1 ? args[1] : "quickstart";
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

await using var client = new QueueClient(new QueueClientOptions { BaseAddress = new Uri(url) });
try
{
    switch (args.FirstOrDefault())
    {
        case "produce":
            await Producer.RunAsync(client, topic, args.Length > 2 ? int.Parse(args[2]) : 10, stop.Token);
            break;
        case "consume":
            await Consumer.RunAsync(client, topic, stopAfter: null, stop.Token);
            break;
        default:
            Console.Error.WriteLine("usage: QuickStart produce|consume [topic] [count]");
            return 2;
    }
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
}
catch (QueueClientException ex)
{
    Console.Error.WriteLine($"queue: {ex.Message}");
    return 1;
}
return 0;
