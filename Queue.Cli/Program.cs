using Spectre.Console;

// The akkaqueue tool: see CliApp for the commands and docs/operations.md for examples.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Ctrl+C ends `consume --follow` cleanly (positions committed) instead of killing the process.
    e.Cancel = true;
    stop.Cancel();
};
return await Queue.Cli.CliApp.RunAsync(args, Console.In, AnsiConsole.Console, Console.Error, Environment.GetEnvironmentVariable, stop.Token);
