using System.Net;
using System.Net.Sockets;

namespace Queue.Testing;

/// <summary>
/// A loopback TCP forwarder that can simulate network trouble between a node and its database:
/// <see cref="Cut"/> drops every connection and refuses new ones (a crashed or stopped server),
/// <see cref="Blackhole"/> keeps connections open but moves no bytes (a hung server or a
/// partitioned network: the case that turns into hangs if timeouts are missing), and
/// <see cref="Restore"/> forwards again. One lock guards the connection list; nothing else is
/// locked while it is held.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private enum Mode { Forward, Cut, Blackhole }

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly Lock _gate = new();
    private readonly List<Link> _links = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private volatile Mode _mode = Mode.Forward;

    public TcpProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public void Cut() => Switch(Mode.Cut, closeExisting: true);

    public void Blackhole() => Switch(Mode.Blackhole, closeExisting: false);

    /// <summary>Forwards again; connections held in a blackhole are closed (their clients gave up on them).</summary>
    public void Restore() => Switch(Mode.Forward, closeExisting: true);

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _listener.Stop();
        Switch(Mode.Cut, closeExisting: true);
        try
        {
            await _acceptLoop;
        }
        catch (Exception)
        {
            // The listener was stopped under it.
        }
    }

    private void Switch(Mode mode, bool closeExisting)
    {
        List<Link> toClose;
        lock (_gate)
        {
            _mode = mode;
            toClose = closeExisting ? [.. _links] : [];
            if (closeExisting)
            {
                _links.Clear();
            }
            if (mode == Mode.Blackhole)
            {
                foreach (var link in _links)
                {
                    link.Freeze();
                }
            }
        }
        foreach (var link in toClose)
        {
            link.Close();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            switch (_mode)
            {
                case Mode.Cut:
                    client.Client.LingerState = new LingerOption(true, 0);
                    client.Dispose();
                    continue;
                case Mode.Blackhole:
                    // Accepted, never answered: the client waits for a server greeting that never comes.
                    lock (_gate)
                    {
                        _links.Add(new Link(client, null));
                    }
                    continue;
            }
            TcpClient server;
            try
            {
                server = new TcpClient();
                await server.ConnectAsync(_targetHost, _targetPort, _stopping.Token);
            }
            catch (SocketException)
            {
                client.Dispose();
                continue;
            }
            var link = new Link(client, server);
            lock (_gate)
            {
                _links.Add(link);
            }
            link.Start();
        }
    }

    private sealed class Link(TcpClient client, TcpClient? server)
    {
        private readonly CancellationTokenSource _pumps = new();
        private int _closed;

        public void Start()
        {
            _ = PumpAsync(client.GetStream(), server!.GetStream());
            _ = PumpAsync(server.GetStream(), client.GetStream());
        }

        /// <summary>Stops moving bytes but keeps both sockets open.</summary>
        public void Freeze() => _pumps.Cancel();

        public void Close()
        {
            // Both pumps and the proxy may close a link; only the first does anything.
            if (Interlocked.Exchange(ref _closed, 1) == 1)
            {
                return;
            }
            _pumps.Cancel();
            client.Client.LingerState = new LingerOption(true, 0);
            client.Dispose();
            server?.Dispose();
        }

        private async Task PumpAsync(NetworkStream from, NetworkStream to)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    var read = await from.ReadAsync(buffer, _pumps.Token);
                    if (read == 0)
                    {
                        break;
                    }
                    await to.WriteAsync(buffer.AsMemory(0, read), _pumps.Token);
                }
                if (!_pumps.IsCancellationRequested)
                {
                    Close();
                }
            }
            catch (Exception) when (_pumps.IsCancellationRequested)
            {
                // Frozen or closed on purpose.
            }
            catch (IOException)
            {
                Close();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}
