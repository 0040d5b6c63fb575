using System.Net.Http.Json;
using System.Text.Json;
using Queue.Cli;
using Queue.Testing;
using Spectre.Console;

namespace Queue.Console.Tests;

/// <summary>
/// The akkaqueue tool run in-process (its real entry point, a captured console) against the
/// collection's real node: what it prints, what it changes on the server, and its exit codes.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class CliTests(ConsoleNodeFixture fixture)
{
    [Fact]
    public async Task Topics_create_list_and_describe_and_the_server_agrees()
    {
        var created = await RunAsync("topics", "create", "cli-orders", "--partitions", "2");
        Assert.Equal((ExitCodes.Ok, "Created topic 'cli-orders' with 2 partition(s)"), (created.Code, created.Out.Trim()));
        var topic = await fixture.Node.Http.GetFromJsonAsync<JsonElement>("v1/topics/cli-orders");
        Assert.Equal(2, topic.GetProperty("partitions").GetInt32());

        var list = await RunAsync("topics", "list");
        Assert.Equal(ExitCodes.Ok, list.Code);
        Assert.Contains("cli-orders", list.Out);

        var describe = await RunAsync("topics", "describe", "cli-orders");
        Assert.Equal(ExitCodes.Ok, describe.Code);
        Assert.Matches(@"│\s+1\s+│\s+0\s+│\s+0\s+│", describe.Out);
    }

    [Fact]
    public async Task Produce_from_stdin_then_consume_from_earliest_prints_every_line_in_order_and_lag_shows_the_consumer_caught_up()
    {
        Assert.Equal(ExitCodes.Ok, (await RunAsync("topics", "create", "cli-lines")).Code);
        var lines = Enumerable.Range(1, 1200).Select(i => $"line {i} [not markup]").ToList();

        var produced = await RunAsync(["produce", "cli-lines"], string.Join('\n', lines) + "\n");
        Assert.Equal((ExitCodes.Ok, "Produced 1200 message(s) to 'cli-lines'"), (produced.Code, produced.Out.Trim()));
        var topic = await fixture.Node.Http.GetFromJsonAsync<JsonElement>("v1/topics/cli-lines");
        Assert.Equal(1200, topic.GetProperty("partition_states")[0].GetProperty("high_watermark").GetInt64());

        var consumed = await RunAsync("consume", "cli-lines", "--from", "earliest");
        Assert.Equal(ExitCodes.Ok, consumed.Code);
        Assert.Equal(lines, consumed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var consumerId = consumed.Err.Split(' ')[1];

        var lag = await RunAsync("lag", "--topic", "cli-lines");
        Assert.Equal(ExitCodes.Ok, lag.Code);
        Assert.Matches($@"│\s+{consumerId}\s+│\s+cli-lines\s+│\s+0\s+│\s+1200\s+│\s+1200\s+│\s+0\s+│", lag.Out);
    }

    [Fact]
    public async Task Cluster_status_shows_the_node_as_manager()
    {
        var status = await RunAsync("cluster", "status");

        Assert.Equal(ExitCodes.Ok, status.Code);
        var cluster = await fixture.Node.Http.GetFromJsonAsync<JsonElement>("cluster");
        var nodeId = cluster.GetProperty("members")[0].GetProperty("node_id").GetString()!;
        Assert.Matches($@"│\s+{System.Text.RegularExpressions.Regex.Escape(nodeId)}\s+│.*│\s+broker,edge\s+│\s+up\s+│\s+yes\s+│", status.Out);
    }

    [Fact]
    public async Task Help_and_exit_codes_say_ok_refused_bad_usage_or_unreachable()
    {
        var unknown = await RunAsync("topics", "describe", "cli-no-such-topic");
        Assert.Equal(ExitCodes.Refused, unknown.Code);
        Assert.Contains("Topic 'cli-no-such-topic' does not exist", unknown.Err);

        var help = await RunAsync("--help");
        Assert.Equal(ExitCodes.Ok, help.Code);
        Assert.Contains("consume <topic>", help.Out);

        var usage = await RunAsync("topics", "create");
        Assert.Equal(ExitCodes.Usage, usage.Code);
        var nothing = await RunAsync(["produce", "cli-orders"], "");
        Assert.Equal(ExitCodes.Usage, nothing.Code);

        var badUrl = await RunWithUrlAsync("ftp://127.0.0.1/", "", "topics", "list");
        Assert.Equal(ExitCodes.Usage, badUrl.Code);

        // A port nothing listens on: connection refused.
        var unreachable = await RunWithUrlAsync($"http://127.0.0.1:{FreePort.Next()}", "", "topics", "list");
        Assert.Equal(ExitCodes.Unreachable, unreachable.Code);
        Assert.Contains("no AkkaQueue node answered", unreachable.Err);
    }

    private Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => RunAsync(args, "");

    private Task<(int Code, string Out, string Err)> RunAsync(string[] args, string stdin) =>
        RunWithUrlAsync(fixture.Node.BaseAddress.ToString(), stdin, args);

    private static async Task<(int Code, string Out, string Err)> RunWithUrlAsync(string url, string stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;
        // Through the environment, as a user would set it, so AKKAQUEUE_URL is covered too.
        var code = await CliApp.RunAsync(args, new StringReader(stdin), console, error,
            name => name == "AKKAQUEUE_URL" ? url : null, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
