using Queue.Core.Transport;

namespace Queue.Core.Tests.Transport;

public sealed class TransportClientPoolTests
{
    [Fact]
    public async Task One_client_per_peer_address_and_requests_go_through_it()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        await using var pool = new TransportClientPool(TransportTestKit.Options("client"), TransportTestKit.Codec());
        var address = $"127.0.0.1:{server.LocalEndPoint!.Port}";

        var client = pool.Get(address);
        Assert.Same(client, pool.Get(address));
        Assert.NotSame(client, pool.Get("127.0.0.1:1"));
        Assert.Equal("pooled", await pool.Get(address).RequestAsync(new Echo("pooled"), CancellationToken.None));
        Assert.Equal(1, server.Counters.ConnectionsOpened);
    }

    [Theory]
    [InlineData("node-1:2552", "node-1", 2552)]
    [InlineData("[::1]:2600", "::1", 2600)]
    public void Addresses_are_host_and_port(string address, string host, int port) =>
        Assert.Equal((host, port), TransportClientPool.ParseAddress(address));

    [Theory]
    [InlineData("node-1")]
    [InlineData(":2552")]
    [InlineData("node-1:0")]
    [InlineData("node-1:http")]
    public void Malformed_addresses_are_refused(string address) =>
        Assert.Throws<FormatException>(() => TransportClientPool.ParseAddress(address));

    [Fact]
    public async Task A_disposed_pool_hands_out_no_clients()
    {
        var pool = new TransportClientPool(TransportTestKit.Options("client"), TransportTestKit.Codec());
        pool.Get("127.0.0.1:1");
        await pool.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => pool.Get("127.0.0.1:1"));
    }
}
