using System.Diagnostics;
using System.Text;

namespace Queue.Testing;

/// <summary>
/// Queue.Node (or Queue.Http, the edge-only node) as a real OS process (the dll built next to the
/// test assembly), for tests that must kill, freeze or signal a node the hard way. Its output is
/// kept for assertions and failure messages.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeProcess(Process process, int httpPort)
    {
        _process = process;
        // Kept: Process.Id throws once the process object is disposed, and logs want it after.
        Id = process.Id;
        HttpPort = httpPort;
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public int HttpPort { get; }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public int Id { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

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

    /// <summary>Starts the node with <paramref name="args"/> plus --http-port (a free one unless given) and waits until /ready answers 200.</summary>
    /// <param name="program">The dll to run: Queue.Node.dll or Queue.Http.dll.</param>
    /// <param name="environment">Extra environment variables (e.g. QUEUE_CLUSTER_SECRET, kept off the command line).</param>
    public static async Task<NodeProcess> StartAsync(
        IReadOnlyList<string> args,
        int? httpPort = null,
        TimeSpan? readyTimeout = null,
        string program = "Queue.Node.dll",
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var node = Launch(args, httpPort, program, environment);
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

    /// <summary>Starts the node without waiting for anything: for nodes expected to refuse to start.</summary>
    public static NodeProcess Launch(
        IReadOnlyList<string> args,
        int? httpPort = null,
        string program = "Queue.Node.dll",
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = httpPort ?? FreePort.Next();
        var dll = Path.Combine(AppContext.BaseDirectory, program);
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{program} is not next to the test assembly; does the test project reference its project?", dll);
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
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        var node = new NodeProcess(process, port);
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
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
                throw new InvalidOperationException($"the node exited with code {_process.ExitCode}:{Environment.NewLine}{Output}");
            }
            try
            {
                // Serving means ready, not just listening: an Up cluster member whose manager (the
                // catalogue singleton) answers. Before that, requests get a retryable 503.
                if ((await probe.GetAsync("ready")).IsSuccessStatusCode)
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
                throw new TimeoutException($"the node on port {HttpPort} was not ready (/ready) within {timeout.TotalSeconds:0} s:{Environment.NewLine}{Output}");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>SIGKILL, no shutdown: whatever the node had not committed is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            // SIGKILL ends a frozen (SIGSTOPped) process too. Only this process: a node starts no
            // children, and Kill(entireProcessTree) walks every process on the machine first,
            // which on a loaded box delayed the kill by up to a second and made failover
            // measurements (which start the clock here) look that much slower.
            _process.Kill();
        }
        await _process.WaitForExitAsync();
    }

    /// <summary>Waits for the process to end by itself; false when it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGSTOP: the process freezes (no CPU, sockets stay open) until <see cref="ResumeAsync"/>.</summary>
    public Task FreezeAsync() => SignalAsync("STOP");

    /// <summary>SIGCONT: a frozen process runs on as if nothing happened.</summary>
    public Task ResumeAsync() => SignalAsync("CONT");

    /// <summary>SIGTERM: a graceful stop (the node leaves its cluster); waits for the process to end.</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        await SignalAsync("TERM");
        if (!await WaitForExitAsync(timeout))
        {
            throw new TimeoutException($"the node did not stop within {timeout.TotalSeconds:0} s after SIGTERM:{Environment.NewLine}{Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await KillAsync();
        _process.Dispose();
    }

    private async Task SignalAsync(string signal)
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"cannot send SIG{signal}: the process has exited");
        }
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("could not run kill");
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {Id} failed with exit code {kill.ExitCode}");
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
                if (LogDirectory is { } dir)
                {
                    // Wall-clock stamps on every line, so a failover can be timed phase by phase
                    // across nodes (Akka's own lines carry their own time, the node's do not).
                    File.AppendAllText(Path.Combine(dir, $"node-{Id}.log"), $"{DateTime.UtcNow:HH:mm:ss.fff} {line}{Environment.NewLine}");
                }
            }
        }
    }

    /// <summary>
    /// When AKKAQUEUE_TEST_LOG_DIR names a directory, every node process also writes its output
    /// there (one file per pid), for reading a run's timeline afterwards.
    /// </summary>
    private static readonly string? LogDirectory =
        Environment.GetEnvironmentVariable("AKKAQUEUE_TEST_LOG_DIR") is { Length: > 0 } dir && Directory.CreateDirectory(dir).Exists ? dir : null;
}
