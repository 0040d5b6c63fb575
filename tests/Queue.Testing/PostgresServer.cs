using System.Diagnostics;
using System.Text;
using Npgsql;

namespace Queue.Testing;

/// <summary>
/// A throwaway PostgreSQL for tests: initdb into a temp directory, the server on a free loopback
/// port with fsync on (the durability tests mean something only if the database is durable), run
/// as user postgres when the tests run as root. One shared server per test run
/// (<see cref="SharedAsync"/>); each fixture gets its own database. QUEUE_TEST_POSTGRES, a
/// connection string to an existing server, replaces the shared one (then only databases are
/// created). Tests that must stop and start a server get a dedicated one from <see cref="StartAsync"/>.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string OverrideVariable = "QUEUE_TEST_POSTGRES";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(() => StartSharedAsync());

    private readonly string? _binDirectory;
    private readonly string? _directory;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private PostgresServer(string adminConnectionString, string? binDirectory, string? directory, int port)
    {
        AdminConnectionString = adminConnectionString;
        _binDirectory = binDirectory;
        _directory = directory;
        Port = port;
        if (directory is not null)
        {
            // A test run that ends without disposing (a crash, Ctrl+C) still takes its server along.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAndClean();
        }
    }

    /// <summary>Connection string of the server's maintenance database ("postgres").</summary>
    public string AdminConnectionString { get; }

    public int Port { get; }

    /// <summary>True when this object started the server (and so can stop and restart it).</summary>
    public bool IsOwned => _directory is not null;

    /// <summary>True when initdb and postgres can be found, so <see cref="StartAsync"/> can work.</summary>
    public static bool BinariesAvailable
    {
        get
        {
            try
            {
                FindBinDirectory();
                return true;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }

    /// <summary>The server every fixture of this test run shares.</summary>
    public static Task<PostgresServer> SharedAsync() => Shared.Value;

    /// <summary>A server of the caller's own, which it may stop and restart; always started here, never the override.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinDirectory();
        var directory = Path.Combine(Path.GetTempPath(), "akkaqueue-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        var port = FreePort.Next();
        var server = new PostgresServer(
            $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false", bin, directory, port);
        try
        {
            if (RunningAsRoot)
            {
                await RunToEndAsync("chown", ["-R", "postgres:postgres", directory]);
            }
            await RunToEndAsync(Path.Combine(bin, "initdb"),
                ["-D", server.DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"], asPostgres: true);
            await server.StartServerAsync();
            StartWatchdog(directory, server.DataDirectory);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, disconnecting whoever still uses it.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Stops the server the fast way (SIGINT: clients are disconnected, the data stays).</summary>
    public async Task StopAsync()
    {
        RequireOwned();
        if (_process is { HasExited: false } process)
        {
            await RunToEndAsync("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(wait.Token);
        }
    }

    /// <summary>Starts a stopped server again on the same port and data directory.</summary>
    public Task RestartAsync()
    {
        RequireOwned();
        return StartServerAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            try
            {
                await StopAsync();
            }
            catch (Exception)
            {
                // Fall through to the kill below.
            }
        }
        KillAndClean();
    }

    private string DataDirectory => Path.Combine(_directory!, "data");

    private static bool RunningAsRoot => Environment.UserName == "root";

    private static async Task<PostgresServer> StartSharedAsync()
    {
        var existing = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrWhiteSpace(existing))
        {
            var builder = new NpgsqlConnectionStringBuilder(existing) { Pooling = false };
            return new PostgresServer(builder.ConnectionString, null, null, builder.Port);
        }
        return await StartAsync();
    }

    private async Task StartServerAsync()
    {
        var postgres = Path.Combine(_binDirectory!, "postgres");
        string[] args =
        [
            "-D", DataDirectory, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-k", _directory!,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=on", "-c", "max_connections=300", "-c", "shared_buffers=64MB",
        ];
        lock (_output)
        {
            _output.Clear();
        }
        _process = Process.Start(StartInfo(postgres, args, asPostgres: true)) ?? throw new InvalidOperationException("postgres did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var started = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"postgres exited with code {_process.ExitCode} while starting:{Environment.NewLine}{Output()}");
            }
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString);
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (started.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(50);
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private void RequireOwned()
    {
        if (!IsOwned)
        {
            throw new InvalidOperationException("This PostgreSQL server was not started by the tests; it cannot be stopped or restarted.");
        }
    }

    private void KillAndClean()
    {
        try
        {
            if (_process is { HasExited: false } process)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        if (_directory is not null && Directory.Exists(_directory))
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A backend still finishing; the temp directory is cleaned by the OS eventually.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>
    /// Test hosts are often torn down without running exit handlers (or killed outright), so a
    /// small shell process outlives us, notices when this process is gone, and then stops the
    /// server (whatever pid postmaster.pid names after restarts) and deletes its directory.
    /// </summary>
    private static void StartWatchdog(string directory, string dataDirectory)
    {
        var script = $$"""
            while kill -0 {{Environment.ProcessId}} 2>/dev/null; do sleep 1; done
            pid=$(head -n 1 '{{dataDirectory}}/postmaster.pid' 2>/dev/null)
            if [ -n "$pid" ]; then
              kill -INT "$pid" 2>/dev/null
              i=0
              while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
              kill -KILL "$pid" 2>/dev/null
            fi
            rm -rf '{{directory}}'
            """;
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        Process.Start(info)?.Dispose();
    }

    private static string FindBinDirectory()
    {
        var candidates = new List<string>();
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "postgres")))
            ?? throw new InvalidOperationException(
                "PostgreSQL server binaries (initdb, postgres) were not found in /usr/lib/postgresql/*/bin or on PATH. " +
                $"Install them (Debian/Ubuntu: apt-get install -y postgresql) or set {OverrideVariable} to the connection string of an existing server.");
    }

    private static ProcessStartInfo StartInfo(string program, IReadOnlyList<string> args, bool asPostgres)
    {
        var info = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres && RunningAsRoot)
        {
            // PostgreSQL refuses to run as root; setpriv execs the program as postgres in the same
            // process, so the pid we hold is the server's own.
            info.FileName = "setpriv";
            foreach (var a in new[] { "--reuid=postgres", "--regid=postgres", "--init-groups", "--", program })
            {
                info.ArgumentList.Add(a);
            }
        }
        else
        {
            info.FileName = program;
        }
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        return info;
    }

    private static async Task RunToEndAsync(string program, IReadOnlyList<string> args, bool asPostgres = false)
    {
        using var process = Process.Start(StartInfo(program, args, asPostgres)) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed with exit code {process.ExitCode}:{Environment.NewLine}{await stdout}{await stderr}");
        }
    }
}
