using System.Net;

namespace Queue.Client.Tests;

public sealed class AdminClientTests : IAsyncLifetime
{
    private ClientNode _node = null!;

    public async Task InitializeAsync() => _node = await ClientNode.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Topics_can_be_created_listed_and_described()
    {
        var admin = _node.Client.Admin;
        var created = await admin.CreateTopicAsync("sdk-topic", 3);
        Assert.Equal(new { Name = "sdk-topic", Count = 3 }, new { created.Name, Count = created.PartitionCount });

        Assert.Contains(await admin.ListTopicsAsync(), t => t.Name == "sdk-topic");
        var described = await admin.DescribeTopicAsync("sdk-topic");
        Assert.Equal([0, 1, 2], described.Partitions.Select(p => p.Partition));
        Assert.All(described.Partitions, p => Assert.Equal(0, p.HighWatermark));

        // Ensure keeps the existing topic, whatever partition count it is asked for.
        Assert.Equal(3, (await admin.EnsureTopicAsync("sdk-topic", 5)).PartitionCount);
    }

    [Fact]
    public async Task Retention_is_created_read_back_and_replaced()
    {
        var admin = _node.Client.Admin;
        var created = await admin.CreateTopicAsync("sdk-retained", 2, retentionMs: 86_400_000, retentionMessages: null);
        Assert.Equal((86_400_000L, (long?)null), (created.RetentionMs, created.RetentionMessages));
        var described = await admin.DescribeTopicAsync("sdk-retained");
        Assert.Equal((86_400_000L, (long?)null), (described.RetentionMs, described.RetentionMessages));

        // Set replaces both limits: null removes one.
        var changed = await admin.SetRetentionAsync("sdk-retained", null, 1_000);
        Assert.Equal(((long?)null, 1_000L), (changed.RetentionMs, changed.RetentionMessages));
        described = await admin.DescribeTopicAsync("sdk-retained");
        Assert.Equal(((long?)null, 1_000L), (described.RetentionMs, described.RetentionMessages));

        var invalid = await Assert.ThrowsAsync<QueueRequestException>(() => admin.SetRetentionAsync("sdk-retained", 0, null));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        await Assert.ThrowsAsync<QueueNotFoundException>(() => admin.SetRetentionAsync("sdk-absent", 1_000, null));
    }

    [Fact]
    public async Task Refusals_are_typed_and_carry_the_servers_message()
    {
        var admin = _node.Client.Admin;
        await admin.CreateTopicAsync("twice");

        var conflict = await Assert.ThrowsAsync<QueueConflictException>(() => admin.CreateTopicAsync("twice"));
        Assert.Equal("Topic 'twice' already exists", conflict.Message);
        Assert.Equal("conflict", conflict.ErrorCode);
        Assert.False(conflict.IsRetryable);

        var missing = await Assert.ThrowsAsync<QueueNotFoundException>(() => admin.DescribeTopicAsync("absent"));
        Assert.Contains("absent", missing.Message);

        var invalid = await Assert.ThrowsAsync<QueueRequestException>(() => admin.CreateTopicAsync("no spaces"));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("' '", invalid.Message);
    }

    [Fact]
    public async Task An_unreachable_server_is_reported_as_unavailable_after_the_retries()
    {
        var options = ClientNode.Options(new Uri($"http://127.0.0.1:{Queue.Testing.FreePort.Next()}/"));
        options.MaxRetries = 2;
        await using var client = new QueueClient(options);

        var error = await Assert.ThrowsAsync<QueueUnavailableException>(() => client.Admin.ListTopicsAsync());
        Assert.True(error.IsRetryable);
        Assert.Contains("cannot reach", error.Message);
    }
}
