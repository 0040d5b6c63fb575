using System.Net;
using System.Net.Sockets;
using Queue.Core.Cluster;

namespace Queue.Core.Tests.Cluster;

/// <summary>
/// The evidence crash-downing acts on, over real loopback sockets: only a port that refuses
/// connections counts as "the process is gone"; a listener that accepts and never answers (what
/// a frozen process's kernel does) does not.
/// </summary>
public sealed class CrashProbeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_port_nobody_listens_on_is_refused()
    {
        var port = FreeClosedPort();
        Assert.True(await CrashDowning.IsRefusedAsync("127.0.0.1", port, Timeout));
    }

    [Fact]
    public async Task A_port_with_a_silent_listener_is_not_refused()
    {
        // Accepts connections (the kernel completes them) but never reads or answers, like a
        // SIGSTOPped node: that is no proof of death.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Assert.False(await CrashDowning.IsRefusedAsync("127.0.0.1", port, Timeout));
    }

    private static int FreeClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
