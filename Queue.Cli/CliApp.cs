using System.CommandLine;
using Queue.Client;
using Spectre.Console;

namespace Queue.Cli;

/// <summary>
/// The command tree and the one place failures become exit codes (<see cref="ExitCodes"/>).
/// Everything the commands print goes to the given console and error writer, so tests run the
/// tool in-process and read what a user would see.
/// </summary>
public static class CliApp
{
    public const string DefaultUrl = "http://127.0.0.1:8001";

    public static async Task<int> RunAsync(
        string[] args, TextReader stdin, IAnsiConsole console, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var url = new Option<string>("--url")
        {
            Description = $"Any edge node's HTTP address (default {DefaultUrl}, or $AKKAQUEUE_URL)",
            Recursive = true,
            DefaultValueFactory = _ => environment("AKKAQUEUE_URL") is { Length: > 0 } fromEnv ? fromEnv : DefaultUrl,
        };
        var root = new RootCommand("akkaqueue: operate an AkkaQueue cluster through any edge node's HTTP API");
        root.Options.Add(url);

        CliContext Context(ParseResult parsed) => new(parsed.GetValue(url)!, stdin, console, error);

        root.Subcommands.Add(TopicCommands.Build(Context));
        root.Subcommands.Add(MessageCommands.Produce(Context));
        root.Subcommands.Add(MessageCommands.Consume(Context));
        root.Subcommands.Add(AdminCommands.Lag(Context));
        root.Subcommands.Add(AdminCommands.Cluster(Context));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync($"akkaqueue: {problem.Message}");
            }
            await error.WriteLineAsync("Run 'akkaqueue --help' for usage.");
            return ExitCodes.Usage;
        }
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = console.Profile.Out.Writer, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (UsageException ex)
        {
            await error.WriteLineAsync($"akkaqueue: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (QueueUnavailableException ex) when (ex.InnerException is HttpRequestException or TimeoutException or OperationCanceledException)
        {
            await error.WriteLineAsync($"akkaqueue: no AkkaQueue node answered: {ex.Message}. Is a node running there? Set --url or AKKAQUEUE_URL.");
            return ExitCodes.Unreachable;
        }
        catch (QueueClientException ex)
        {
            await error.WriteLineAsync($"akkaqueue: the server refused: {ex.Message}");
            return ExitCodes.Refused;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
    }

    /// <summary>The SDK's client for a URL given on the command line; bad URLs are usage errors.</summary>
    internal static QueueClient Connect(string url, int maxRetries = 2)
    {
        var address = Address(url);
        // Few retries: an operator at a prompt wants "unreachable" in seconds, not after the
        // SDK's full back-off meant for services riding out a restart.
        return new QueueClient(new QueueClientOptions { BaseAddress = address, MaxRetries = maxRetries, RequestTimeout = TimeSpan.FromSeconds(10) });
    }

    internal static Uri Address(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var address) && address.Scheme is ("http" or "https")
            ? address
            : throw new UsageException($"--url must be an http:// or https:// address, got '{url}'");
}
