namespace Queue.Client.Tests;

public sealed class ProducerTests : IAsyncLifetime
{
    private ClientNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = await ClientNode.StartAsync();
        await _node.Client.Admin.CreateTopicAsync("p", 2);
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Sends_are_batched_and_keep_their_order_per_key()
    {
        var counting = new CountingTransport(_node.HttpTransport);
        var client = _node.NewClient(counting);
        await using (var producer = client.CreateProducer(new QueueProducerOptions { BatchMaxMessages = 100, Linger = TimeSpan.FromSeconds(1) }))
        {
            var sends = Enumerable.Range(0, 1000).Select(i => producer.SendAsync("p", $"m{i}", key: "one-key")).ToList();
            var offsets = await Task.WhenAll(sends);

            Assert.Single(offsets.Select(o => o.Partition).Distinct());
            Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), offsets.Select(o => o.Offset));
        }
        // A full batch goes without waiting for the linger: 1000 messages, batches of at most 100.
        Assert.InRange(counting.ProduceCalls, 10, 20);
    }

    [Fact]
    public async Task Flush_sends_without_waiting_for_the_linger()
    {
        await using var producer = _node.Client.CreateProducer(new QueueProducerOptions { Linger = TimeSpan.FromHours(1) });
        var send = producer.SendAsync("p", "flushed", partition: 1);
        await producer.FlushAsync();
        Assert.True(send.IsCompletedSuccessfully);
        Assert.Equal(new MessageOffset(1, 0), await send);
    }

    [Fact]
    public async Task Dispose_flushes_what_is_queued()
    {
        Task<MessageOffset> send;
        await using (var producer = _node.Client.CreateProducer(new QueueProducerOptions { Linger = TimeSpan.FromHours(1) }))
        {
            send = producer.SendAsync("p", "on dispose", partition: 0);
        }
        Assert.True(send.IsCompletedSuccessfully);
        var fetched = await _node.HttpTransport.FetchAsync("p", 0, 0, 10, TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(["on dispose"], fetched.Messages.Select(m => m.Value));
    }

    [Fact]
    public async Task A_full_buffer_makes_senders_wait()
    {
        var gated = new GatedTransport(_node.HttpTransport);
        var client = _node.NewClient(gated);
        await using var producer = client.CreateProducer(new QueueProducerOptions { BatchMaxMessages = 1, MaxBufferedMessages = 2, Linger = TimeSpan.Zero });

        // One message in flight (held at the gate), two in the buffer: the fourth has no room.
        var first = producer.SendAsync("p", "1", partition: 0);
        var second = producer.SendAsync("p", "2", partition: 0);
        var third = producer.SendAsync("p", "3", partition: 0);
        await Queue.Testing.Eventually.True(() => gated.Waiting == 1, TimeSpan.FromSeconds(10), "the first batch reached the gate");
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => producer.SendAsync("p", "4", partition: 0, cancellationToken: giveUp.Token));

        gated.Open();
        Assert.Equal([0L, 1L, 2L], (await Task.WhenAll(first, second, third)).Select(o => o.Offset));
    }

    [Fact]
    public async Task A_lost_reply_is_retried_without_appending_twice()
    {
        var lossy = new LostReplyTransport(_node.HttpTransport, losses: 2);
        var client = _node.NewClient(lossy);
        await using var producer = client.CreateProducer();

        var offset = await producer.SendAsync("p", "exactly once", partition: 1);

        Assert.Equal(3, lossy.ProduceCalls);
        var topic = await _node.Client.Admin.DescribeTopicAsync("p");
        Assert.Equal(1, topic.Partitions[1].HighWatermark);
        Assert.Equal(new MessageOffset(1, 0), offset);
    }

    [Fact]
    public async Task Refusals_fail_their_sends_with_the_servers_message()
    {
        await using var producer = _node.Client.CreateProducer();
        var error = await Assert.ThrowsAsync<QueueNotFoundException>(() => producer.SendAsync("no-such-topic", "x"));
        Assert.Contains("no-such-topic", error.Message);

        var tooBig = await Assert.ThrowsAsync<QueueRequestException>(() => producer.SendAsync("p", "x", partition: 7));
        Assert.Contains("partition 7", tooBig.Message);
    }

    private sealed class CountingTransport(Transport.IQueueTransport inner) : DelegatingTransport(inner)
    {
        private int _produceCalls;

        public int ProduceCalls => Volatile.Read(ref _produceCalls);

        public override Task<ProduceAcknowledgement> ProduceAsync(string topic, long? producerId, long? sequence, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _produceCalls);
            return base.ProduceAsync(topic, producerId, sequence, messages, cancellationToken);
        }
    }

    private sealed class GatedTransport(Transport.IQueueTransport inner) : DelegatingTransport(inner)
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _waiting;

        public int Waiting => Volatile.Read(ref _waiting);

        public void Open() => _gate.TrySetResult();

        public override async Task<ProduceAcknowledgement> ProduceAsync(string topic, long? producerId, long? sequence, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _waiting);
            await _gate.Task;
            return await base.ProduceAsync(topic, producerId, sequence, messages, cancellationToken);
        }
    }

    /// <summary>The server commits the batch, but the first replies never arrive.</summary>
    private sealed class LostReplyTransport(Transport.IQueueTransport inner, int losses) : DelegatingTransport(inner)
    {
        public int ProduceCalls { get; private set; }

        public override async Task<ProduceAcknowledgement> ProduceAsync(string topic, long? producerId, long? sequence, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
        {
            var ack = await base.ProduceAsync(topic, producerId, sequence, messages, cancellationToken);
            if (++ProduceCalls <= losses)
            {
                throw new QueueUnavailableException("connection reset after the request was sent");
            }
            return ack;
        }
    }
}
