using System.Net;

namespace Queue.Client.Tests;

public sealed class RetryTests : IAsyncLifetime
{
    private ClientNode _node = null!;

    public async Task InitializeAsync() => _node = await ClientNode.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task Retryable_refusals_are_retried_until_they_pass(HttpStatusCode status)
    {
        var flaky = new FlakyTransport(_node.HttpTransport, failures: 3, status);
        var client = _node.NewClient(flaky);

        await client.Admin.CreateTopicAsync("retried");

        Assert.Equal(4, flaky.Calls);
        Assert.Contains(await _node.Client.Admin.ListTopicsAsync(), t => t.Name == "retried");
    }

    [Fact]
    public async Task Retries_stop_at_the_limit_and_surface_the_last_refusal()
    {
        var flaky = new FlakyTransport(_node.HttpTransport, failures: 100, HttpStatusCode.ServiceUnavailable);
        var options = ClientNode.Options(_node.Node.BaseAddress);
        options.MaxRetries = 2;
        await using var client = new QueueClient(flaky, options);

        var error = await Assert.ThrowsAsync<QueueRequestException>(() => client.Admin.CreateTopicAsync("never"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal("injected", error.Message);
        Assert.Equal(3, flaky.Calls);
    }

    [Fact]
    public async Task Client_mistakes_are_not_retried()
    {
        var counting = new FlakyTransport(_node.HttpTransport, failures: 0, HttpStatusCode.OK);
        var client = _node.NewClient(counting);
        await Assert.ThrowsAsync<QueueRequestException>(() => client.Admin.CreateTopicAsync("bad name"));
        Assert.Equal(1, counting.Calls);
    }

    [Fact]
    public void Back_off_grows_and_honours_retry_after_up_to_the_cap()
    {
        var policy = new Internal.RetryPolicy(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
        Assert.InRange(policy.DelayFor(0, null).TotalMilliseconds, 50, 100);
        Assert.InRange(policy.DelayFor(3, null).TotalMilliseconds, 400, 800);
        Assert.InRange(policy.DelayFor(10, null).TotalMilliseconds, 500, 1000);
        Assert.Equal(1000, policy.DelayFor(0, TimeSpan.FromMinutes(1)).TotalMilliseconds);
    }

    /// <summary>Refuses the first <paramref name="failures"/> topic creations with <paramref name="status"/>.</summary>
    private sealed class FlakyTransport(Transport.IQueueTransport inner, int failures, HttpStatusCode status) : DelegatingTransport(inner)
    {
        public int Calls { get; private set; }

        public override Task<TopicDescription> CreateTopicAsync(string name, int? partitions, CancellationToken cancellationToken) =>
            ++Calls <= failures
                ? throw new QueueRequestException(status, "unavailable", "injected", TimeSpan.FromMilliseconds(1))
                : base.CreateTopicAsync(name, partitions, cancellationToken);
    }
}
