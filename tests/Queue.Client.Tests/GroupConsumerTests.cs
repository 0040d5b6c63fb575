using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Queue.Client.Transport;
using Queue.Testing;

namespace Queue.Client.Tests;

public sealed class GroupConsumerTests : IAsyncLifetime
{
    private const int Partitions = 4;
    private ClientNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = await ClientNode.StartAsync();
        await _node.Client.Admin.CreateTopicAsync("g", Partitions);
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    /// <summary>Real HTTP until <see cref="Kill"/>; then every request fails as if the process were gone.</summary>
    private sealed class KillableTransport(HttpQueueTransport http) : DelegatingTransport(http), IQueueGroupTransport
    {
        private readonly HttpQueueTransport _inner = http;
        private volatile bool _dead;

        public void Kill() => _dead = true;

        private void ThrowIfDead()
        {
            if (_dead)
            {
                throw new QueueUnavailableException("killed");
            }
        }

        public override Task<FetchedMessages> FetchAsync(string topic, int partition, long offset, int max, TimeSpan wait, CancellationToken cancellationToken)
        {
            ThrowIfDead();
            return base.FetchAsync(topic, partition, offset, max, wait, cancellationToken);
        }

        public Task<ConsumerGroupAssignment> JoinGroupAsync(string group, string topic, TimeSpan sessionTimeout, ConsumerStart from, string? memberId, CancellationToken cancellationToken)
        {
            ThrowIfDead();
            return _inner.JoinGroupAsync(group, topic, sessionTimeout, from, memberId, cancellationToken);
        }

        public Task<ConsumerGroupAssignment> HeartbeatAsync(string group, string memberId, long generation, CancellationToken cancellationToken)
        {
            ThrowIfDead();
            return _inner.HeartbeatAsync(group, memberId, generation, cancellationToken);
        }

        public Task LeaveGroupAsync(string group, string memberId, CancellationToken cancellationToken)
        {
            ThrowIfDead();
            return _inner.LeaveGroupAsync(group, memberId, cancellationToken);
        }

        public Task CommitGroupAsync(string group, string memberId, long generation, IReadOnlyList<MessageOffset> offsets, CancellationToken cancellationToken)
        {
            ThrowIfDead();
            return _inner.CommitGroupAsync(group, memberId, generation, offsets, cancellationToken);
        }
    }

    private async Task<List<(int Partition, long Offset)>> ProduceAsync(int count, string prefix)
    {
        var acked = new List<(int, long)>();
        var messages = Enumerable.Range(0, count).Select(i => new { value = $"{prefix}{i}", partition = i % Partitions }).ToArray();
        using var response = await _node.Node.Http.PostAsJsonAsync("v1/topics/g/messages", new { messages });
        response.EnsureSuccessStatusCode();
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        foreach (var offset in body["offsets"]!.AsArray())
        {
            acked.Add((offset!["partition"]!.GetValue<int>(), offset["offset"]!.GetValue<long>()));
        }
        return acked;
    }

    private static Task RunAsync(QueueGroupConsumer consumer, ConcurrentDictionary<(int, long), int> seen, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        await foreach (var message in consumer.ConsumeAsync(cancellationToken))
        {
            seen.AddOrUpdate((message.Partition, message.Offset), 1, (_, n) => n + 1);
        }
    }, CancellationToken.None);

    [Fact]
    public async Task Two_members_split_a_topic_and_the_survivor_takes_over_a_crashed_one_from_its_last_commit()
    {
        // Short enough for a quick takeover, long enough that a loaded machine's pauses do not
        // expire the live member (if one did, it would rejoin, and the checks below still hold).
        var options = new QueueGroupConsumerOptions { From = ConsumerStart.Earliest, SessionTimeout = TimeSpan.FromSeconds(3), PollWait = TimeSpan.FromMilliseconds(500), MaxPollMessages = 10 };
        var produced = await ProduceAsync(200, "before-");
        var seenByA = new ConcurrentDictionary<(int, long), int>();
        var seenByB = new ConcurrentDictionary<(int, long), int>();
        var changes = new ConcurrentQueue<ConsumerGroupAssignment>();

        var a = await _node.Client.CreateGroupConsumerAsync("svc", "g", new QueueGroupConsumerOptions
        {
            From = options.From,
            SessionTimeout = options.SessionTimeout,
            PollWait = options.PollWait,
            MaxPollMessages = options.MaxPollMessages,
            OnAssignmentChanged = changes.Enqueue,
        });
        await using var _ = a;
        Assert.Equal(Partitions, a.Assignment.Partitions.Count);
        var killable = new KillableTransport(_node.HttpTransport);
        var b = await _node.NewClient(killable).CreateGroupConsumerAsync("svc", "g", options);
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var runA = RunAsync(a, seenByA, stopA.Token);
        var runB = RunAsync(b, seenByB, stopB.Token);

        await Eventually.True(() => Task.FromResult(a.Assignment.Partitions.Count == Partitions / 2 && a.Assignment.Generation == b.Assignment.Generation),
            TimeSpan.FromSeconds(60), "a learned of b's join and gave up half of the partitions");
        Assert.Empty(a.Assignment.Partitions.Intersect(b.Assignment.Partitions));
        Assert.Contains(changes, c => c.Partitions.Count == Partitions / 2);
        var bPartitions = b.Assignment.Partitions.ToList();
        await Eventually.True(async () =>
        {
            var group = await _node.Node.Http.GetFromJsonAsync<JsonNode>("v1/groups/svc");
            return group!["partitions"]!.AsArray().Any(p => bPartitions.Contains(p!["partition"]!.GetValue<int>()) && p["committed_offset"]?.GetValue<long>() > 0);
        }, TimeSpan.FromSeconds(60), "b processed and committed some of its partitions");

        // b's process dies: no leave, no further commit or heartbeat.
        killable.Kill();
        await stopB.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => runB);
        var atKill = await _node.Node.Http.GetFromJsonAsync<JsonNode>("v1/groups/svc");
        var committedAtKill = atKill!["partitions"]!.AsArray()
            .ToDictionary(p => p!["partition"]!.GetValue<int>(), p => p!["committed_offset"]?.GetValue<long>() ?? 0);
        produced.AddRange(await ProduceAsync(200, "after-"));

        await Eventually.True(() => Task.FromResult(a.Assignment.Partitions.Count == Partitions),
            TimeSpan.FromSeconds(60), "a got every partition after b's session timeout");
        await Eventually.True(() => Task.FromResult(produced.All(m => seenByA.ContainsKey(m) || seenByB.ContainsKey(m))
                && produced.Where(m => bPartitions.Contains(m.Partition) && m.Offset >= committedAtKill[m.Partition]).All(seenByA.ContainsKey)),
            TimeSpan.FromSeconds(60), "every message was processed");

        // At least once, none skipped: every acknowledged message was processed by someone, and
        // a re-read b's partitions from b's last commit on (what b did after it is lost with b).
        var missing = produced.Where(m => !seenByA.ContainsKey(m) && !seenByB.ContainsKey(m)).ToList();
        Assert.Empty(missing);
        var notResumed = produced.Where(m => bPartitions.Contains(m.Partition) && m.Offset >= committedAtKill[m.Partition] && !seenByA.ContainsKey(m)).ToList();
        Assert.Empty(notResumed);

        await stopA.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runA);
    }

    [Fact]
    public async Task Disposing_leaves_so_the_other_member_takes_the_partitions_at_once()
    {
        var options = new QueueGroupConsumerOptions { SessionTimeout = TimeSpan.FromMinutes(2), HeartbeatInterval = TimeSpan.FromMilliseconds(200) };
        await using var a = await _node.Client.CreateGroupConsumerAsync("leave", "g", options);
        var b = await _node.Client.CreateGroupConsumerAsync("leave", "g", options);
        await Eventually.True(() => Task.FromResult(a.Assignment.Partitions.Count == Partitions / 2), TimeSpan.FromSeconds(60), "a saw b join");
        await b.DisposeAsync();
        // With a two-minute session timeout, only the leave can explain a getting everything back this soon.
        await Eventually.True(() => Task.FromResult(a.Assignment.Partitions.Count == Partitions), TimeSpan.FromSeconds(60), "a got b's partitions after b left");
    }
}
