using Microsoft.AspNetCore.Builder;
using Queue.Core.Configuration;
using Queue.Node.Hosting;

namespace Queue.Node;

/// <summary>Entry point of a cluster node (roles broker and edge by default).</summary>
public static class NodeProgram
{
    public static async Task<int> Main(string[] args)
    {
        QueueSettings settings;
        try
        {
            var configuration = NodeApplication.LoadConfiguration(args, out var help);
            if (help)
            {
                Console.Out.Write(CommandLineFlags.HelpText("Queue.Node", "a node of an AkkaQueue cluster (single node by default)"));
                return 0;
            }
            settings = QueueSettingsBinder.Bind(configuration);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or FileNotFoundException)
        {
            await Console.Error.WriteLineAsync($"Queue.Node: {ex.Message}");
            return 2;
        }

        WebApplication app;
        try
        {
            app = NodeApplication.Build(settings);
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync($"Queue.Node: {ex.Message}");
            return 2;
        }
        await using var _ = app;
        try
        {
            await app.StartAsync();
        }
        catch (InvalidOperationException ex)
        {
            // Start-up refused (e.g. the journal database is unreachable or too new): say why in
            // one line instead of a stack trace; the log above has the details.
            await Console.Error.WriteLineAsync($"Queue.Node: could not start: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            // Stopped (Ctrl+C, SIGTERM) while still starting, e.g. while waiting for the database.
            await Console.Error.WriteLineAsync("Queue.Node: stopped before it finished starting");
            return 1;
        }
        NodeApplication.LogReady(app, settings);
        await app.WaitForShutdownAsync();
        return 0;
    }
}
