using Queue.Client;
using Spectre.Console;

namespace Queue.Cli;

/// <summary>What every command needs: where the node is and where to read and write.</summary>
public sealed record CliContext(string Url, TextReader Stdin, IAnsiConsole Console, TextWriter Error)
{
    public QueueClient Connect() => CliApp.Connect(Url);

    public AdminHttp Admin() => new(new HttpClient { BaseAddress = CliApp.Address(Url), Timeout = TimeSpan.FromSeconds(15) });
}
