using System.Diagnostics;
using System.Text;

namespace Queue.Testing;

/// <summary>
/// Queue.Node as a real OS process (the dll built next to the test assembly), for tests that must
/// kill a node the hard way. Its output is kept for assertions and failure messages.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeProcess(Process process, int httpPort)
    {
        _process = process;
        HttpPort = httpPort;
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public int HttpPort { get; }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the node wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the node with <paramref name="args"/> plus --http-port (a free one unless given) and waits until /health answers.</summary>
    public static async Task<NodeProcess> StartAsync(IReadOnlyList<string> args, int? httpPort = null, TimeSpan? readyTimeout = null)
    {
        var port = httpPort ?? FreePort.Next();
        var dll = Path.Combine(AppContext.BaseDirectory, "Queue.Node.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("Queue.Node.dll is not next to the test assembly; does the test project reference Queue.Node?", dll);
        }
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--http-port");
        info.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start Queue.Node");
        var node = new NodeProcess(process, port);
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await node.WaitUntilServingAsync(readyTimeout ?? TimeSpan.FromSeconds(60));
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
        return node;
    }

    /// <summary>Polls /health until it answers 200; fails at once if the process exits.</summary>
    public async Task WaitUntilServingAsync(TimeSpan timeout)
    {
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Queue.Node exited with code {_process.ExitCode}:{Environment.NewLine}{Output}");
            }
            try
            {
                if ((await probe.GetAsync("health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Queue.Node on port {HttpPort} did not serve /health within {timeout.TotalSeconds:0} s:{Environment.NewLine}{Output}");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>SIGKILL, no shutdown: whatever the node had not committed is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await KillAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
