using Microsoft.AspNetCore.Builder;
using Queue.Http.Hosting;
using Queue.Node.Hosting;

namespace Queue.Node;

/// <summary>Entry point of a node: a complete single node by default, a broker and/or edge with --seed-nodes.</summary>
public static class NodeProgram
{
    public static async Task<int> Main(string[] args)
    {
        var (settings, exitCode) = EdgeHost.ReadSettings("Queue.Node", "a node of an AkkaQueue cluster (single node by default)", args);
        if (settings is null)
        {
            return exitCode;
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
        return await EdgeHost.RunAsync(app, settings, NodeApplication.JournalKind(settings));
    }
}
