using System.Diagnostics;
using System.Globalization;
using Queue.Testing;

namespace Queue.Benchmarks.Infrastructure;

/// <summary>
/// The Kestrel hello-world reference as its own OS process (this program in --hello-server
/// mode), so it competes for the CPUs exactly as a node does and the load driver reaches it over
/// loopback the same way.
/// </summary>
public sealed class HelloServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private int _disposed;

    private HelloServerProcess(Process process, int port)
    {
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri BaseAddress { get; }

    public int Id => _process.Id;

    public static async Task<HelloServerProcess> StartAsync(CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        var dll = typeof(HelloServerProcess).Assembly.Location;
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--hello-server");
        info.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the hello-world server");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new HelloServerProcess(process, port);
        try
        {
            using var probe = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
            await Eventually.True(async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"the hello-world server exited with code {process.ExitCode}");
                }
                try
                {
                    return (await probe.GetAsync("", cancellationToken)).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), "the hello-world server answers");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
