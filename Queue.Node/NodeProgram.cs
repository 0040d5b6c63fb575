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

        await using var app = NodeApplication.Build(settings);
        await app.StartAsync();
        NodeApplication.LogReady(app, settings);
        await app.WaitForShutdownAsync();
        return 0;
    }
}
