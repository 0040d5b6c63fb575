using Queue.Benchmarks;
using Queue.Benchmarks.Infrastructure;

BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    await Console.Error.WriteLineAsync($"Queue.Benchmarks: {ex.Message}{Environment.NewLine}{BenchmarkOptions.Usage}");
    return 2;
}
if (options.HelpRequested)
{
    Console.Out.Write(BenchmarkOptions.Usage);
    return 0;
}
if (options.HelloServerPort is { } port)
{
    await HelloServer.RunAsync(port);
    return 0;
}

// Ctrl+C ends the run through cancellation, so the finally blocks stop PostgreSQL and the nodes.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
try
{
    return await new BenchmarkRunner(options, Console.Out).RunAsync(args, cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("Queue.Benchmarks: cancelled");
    return 130;
}
catch (InvalidOperationException ex)
{
    // No PostgreSQL binaries, a server that would not start, a non-durable server: say why in
    // one line (PostgresServer's message says how to install the binaries).
    await Console.Error.WriteLineAsync($"Queue.Benchmarks: {ex.Message}");
    return 1;
}
