using Microsoft.Extensions.Logging;
using Queue.Core.Transport;

namespace Queue.Core.Tests.Transport;

public sealed class TransportSecurityTests
{
    [Fact]
    public async Task A_peer_with_the_right_secret_is_accepted()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var client = kit.Client(server);

        Assert.Equal("in", await client.RequestAsync(new Echo("in"), CancellationToken.None));
        Assert.Equal(0, server.Counters.HandshakesRefused);
    }

    [Fact]
    public async Task A_peer_with_a_wrong_secret_is_refused_and_the_server_logs_it()
    {
        await using var kit = new TransportTestKit();
        var log = new ListLogger<TransportServer>();
        var server = await kit.StartServerAsync(logger: log);
        var intruder = kit.Client(server, TransportTestKit.Options("intruder", secret: "guess"));

        var error = await Assert.ThrowsAsync<TransportAuthenticationException>(() => intruder.RequestAsync(new Echo("x"), CancellationToken.None));
        Assert.Contains("authentication failed", error.Message);
        Assert.Equal(RetryAdvice.DoNotRetry, RemoteErrors.AdviceFor(error));
        Assert.Equal(1, server.Counters.HandshakesRefused);
        Assert.Equal(0, server.ConnectionCount);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("intruder") && e.Message.Contains("Refused"));
        Assert.Equal(0, Volatile.Read(ref kit.Running));

        // While gated, the refusal is repeated without a new attempt; it stays an authentication error.
        await Assert.ThrowsAsync<TransportAuthenticationException>(() => intruder.RequestAsync(new Echo("x"), CancellationToken.None));
    }

    [Fact]
    public async Task A_peer_without_a_secret_is_refused_by_a_node_that_has_one()
    {
        await using var kit = new TransportTestKit();
        var server = await kit.StartServerAsync();
        var client = kit.Client(server, TransportTestKit.Options("dev", secret: "", insecure: true));

        await Assert.ThrowsAsync<TransportAuthenticationException>(() => client.RequestAsync(new Echo("x"), CancellationToken.None));
        Assert.Equal(1, server.Counters.HandshakesRefused);
    }

    [Fact]
    public async Task A_server_that_cannot_prove_it_knows_the_secret_is_refused_by_the_client()
    {
        // A fake server that accepts any client and answers with a forged proof: the client's
        // own check is what stops it from sending requests to an impostor.
        await using var kit = new TransportTestKit();
        await using var impostor = RawPeer.FakeServer();
        var client = kit.Client(impostor.Port);

        var error = await Assert.ThrowsAsync<TransportAuthenticationException>(() => client.RequestAsync(new Echo("x"), CancellationToken.None));
        Assert.Contains("failed to prove", error.Message);
        Assert.Equal(1, client.Counters.HandshakesRefused);
    }

    [Fact]
    public async Task Without_a_secret_the_transport_refuses_to_start_unless_insecure_dev_is_on()
    {
        await using var kit = new TransportTestKit();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => kit.StartServerAsync(TransportTestKit.Options("server", secret: "")));
        Assert.Contains("insecure-dev", error.Message);
        Assert.Throws<InvalidOperationException>(() => kit.Client(1, TransportTestKit.Options("client", secret: "")));
    }

    [Fact]
    public async Task Insecure_dev_mode_connects_nodes_without_a_secret_and_warns()
    {
        await using var kit = new TransportTestKit();
        var log = new ListLogger<TransportServer>();
        var server = await kit.StartServerAsync(TransportTestKit.Options("server", secret: "", insecure: true), logger: log);
        var client = kit.Client(server, TransportTestKit.Options("client", secret: "", insecure: true));

        Assert.Equal("dev", await client.RequestAsync(new Echo("dev"), CancellationToken.None));
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("WITHOUT a cluster secret"));
    }

    [Fact]
    public void Options_from_settings_carry_the_secret_and_the_insecure_flag()
    {
        var settings = new Core.Configuration.QueueSettings();
        Assert.Throws<InvalidOperationException>(() => TransportOptions.FromSettings(settings).Validate());
        var insecure = settings with { Node = settings.Node with { InsecureDev = true } };
        Assert.True(TransportOptions.FromSettings(insecure).Validate().AllowInsecure);
        var secured = settings with { Node = settings.Node with { ClusterSecret = "x" } };
        Assert.Equal("x", TransportOptions.FromSettings(secured).Validate().ClusterSecret);
    }
}
