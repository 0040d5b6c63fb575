using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Queue.Benchmarks.Infrastructure;
using Queue.Benchmarks.References;

namespace Queue.Benchmarks.Scenarios;

/// <summary>
/// Scenario 4: end-to-end latency at a fixed 5,000 msg/s, producer (v1 batch API) → long-poll
/// consumers (v1 partition fetch with wait_ms), one broker, 8 partitions. Open loop: each message
/// has the time it was due to be sent, and its latency runs from then to the moment a consumer
/// has it, so a stalled producer or node shows up in the figure instead of slowing the load.
/// Reference: one durable single-row commit on this machine, the floor under any durable ack.
/// </summary>
public sealed class LatencyScenario : IScenario
{
    private const int Rate = 5_000;
    private const int Partitions = 8;
    private const int MaxInFlight = 64;
    private const string Topic = "latency";

    public string Id => "4";

    public string Name => $"end-to-end latency producer → long-poll consumer at {Rate:#,0} msg/s";

    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var database = await context.CreateDatabaseAsync();
        var node = await context.StartNodeAsync(database);
        using var producerHttp = LoadClients.Create(node.BaseAddress, MaxInFlight);
        using var consumerHttp = LoadClients.Create(node.BaseAddress, Partitions);
        if (!await QueueHttp.TryCreateV1TopicAsync(producerHttp, Topic, Partitions, cancellationToken))
        {
            const string reason = "v1 batch API and long-poll fetch not merged yet (POST /v1/topics answered 404)";
            return
            [
                ScenarioResult.NotAvailable("4.p50", Name + ": p50", reason),
                ScenarioResult.NotAvailable("4.p99", Name + ": p99", reason, "< 10 ms"),
                ScenarioResult.NotAvailable("4.p999", Name + ": p99.9", reason),
            ];
        }

        var commits = await CommitLatencyReference.RunAsync(database, context.Options.Quick ? 300 : 2_000, cancellationToken);

        var warmup = context.Options.Warmup;
        var total = warmup + context.Options.Window;
        var clock = Stopwatch.StartNew();
        var origin = Stopwatch.GetTimestamp();
        var windowStartTicks = origin + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var latencies = new List<double>[Partitions];
        long received = 0, sent = 0, produceErrors = 0;
        string? firstError = null;
        using var stopConsumers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        async Task Consume(int partition)
        {
            var mine = latencies[partition] = [];
            var offset = 0L;
            while (!stopConsumers.IsCancellationRequested)
            {
                JsonElement body;
                try
                {
                    body = await QueueHttp.RequireAsync(await consumerHttp.GetAsync(
                        $"v1/topics/{Topic}/partitions/{partition}/messages?offset={offset}&max=1000&wait_ms=1000", stopConsumers.Token), stopConsumers.Token);
                }
                catch (OperationCanceledException) when (stopConsumers.IsCancellationRequested)
                {
                    return;
                }
                var now = Stopwatch.GetTimestamp();
                foreach (var message in body.GetProperty("messages").EnumerateArray())
                {
                    var value = message.GetProperty("value").GetString()!;
                    var due = long.Parse(value.AsSpan(2, 19), CultureInfo.InvariantCulture);
                    if (due >= windowStartTicks)
                    {
                        mine.Add((now - due) * 1000.0 / Stopwatch.Frequency);
                    }
                    offset = message.GetProperty("offset").GetInt64() + 1;
                    Interlocked.Increment(ref received);
                }
            }
        }

        var consumers = Enumerable.Range(0, Partitions).Select(p => Task.Run(() => Consume(p), CancellationToken.None)).ToList();
        var json = new MediaTypeHeaderValue("application/json");
        using var inFlight = new SemaphoreSlim(MaxInFlight);
        var sends = new List<Task>();
        // Where time goes besides the queue: how late the driver got each batch out (a starved
        // driver on a busy machine), and how long each produce took to be acknowledged.
        var sendLags = new List<double>();
        var acks = new List<double>();
        var timingsGate = new Lock();

        async Task Send(long first, long count)
        {
            try
            {
                using var content = new ByteArrayContent(Batch(first, count, origin));
                content.Headers.ContentType = json;
                var posted = Stopwatch.GetTimestamp();
                using var response = await producerHttp.PostAsync($"v1/topics/{Topic}/messages", content, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    throw new HttpRequestException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                }
                if (posted >= windowStartTicks)
                {
                    var lag = (posted - Due(first, origin)) * 1000.0 / Stopwatch.Frequency;
                    var ack = Stopwatch.GetElapsedTime(posted).TotalMilliseconds;
                    lock (timingsGate)
                    {
                        sendLags.Add(lag);
                        acks.Add(ack);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Interlocked.Increment(ref produceErrors);
                Interlocked.CompareExchange(ref firstError, ex.Message, null);
            }
            finally
            {
                inFlight.Release();
            }
        }

        // The pacer: about every millisecond, whatever has fallen due goes out as one batch
        // (about five messages), the way a batching producer SDK with a short linger sends. It
        // runs on a thread of its own with Thread.Sleep(1): an awaited Task.Delay(1) on a busy
        // thread pool woke every 4-5 ms here, which the latency figure then charged to the queue.
        var paced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pacer = new Thread(() =>
        {
            try
            {
                while (clock.Elapsed < total && !cancellationToken.IsCancellationRequested)
                {
                    var due = (long)(clock.Elapsed.TotalSeconds * Rate);
                    if (due > sent)
                    {
                        inFlight.Wait(cancellationToken);
                        sends.Add(Send(sent, due - sent));
                        sent = due;
                    }
                    Thread.Sleep(1);
                }
                paced.TrySetResult();
            }
            catch (Exception ex)
            {
                paced.TrySetException(ex);
            }
        })
        { IsBackground = true, Name = "latency pacer" };
        pacer.Start();
        await paced.Task;
        await Task.WhenAll(sends);
        try
        {
            // A failed produce means some messages will never arrive; then stop waiting at once.
            await Queue.Testing.Eventually.True(() => Interlocked.Read(ref received) >= sent || Interlocked.Read(ref produceErrors) > 0,
                TimeSpan.FromSeconds(30), "the consumers have every message produced");
        }
        finally
        {
            await stopConsumers.CancelAsync();
            await Task.WhenAll(consumers);
        }

        var all = latencies.SelectMany(l => l).ToList();
        all.Sort();
        sendLags.Sort();
        acks.Sort();
        var details = new Dictionary<string, double>
        {
            ["messages_sent"] = sent,
            ["messages_received"] = Interlocked.Read(ref received),
            ["messages_measured"] = all.Count,
            ["produce_errors"] = produceErrors,
            ["max_ms"] = all.Count > 0 ? all[^1] : double.NaN,
            ["driver_send_lag_p50_ms"] = Percentiles.Of(sendLags, 50),
            ["driver_send_lag_p99_ms"] = Percentiles.Of(sendLags, 99),
            ["produce_ack_p50_ms"] = Percentiles.Of(acks, 50),
            ["produce_ack_p99_ms"] = Percentiles.Of(acks, 99),
            ["produce_ack_p999_ms"] = Percentiles.Of(acks, 99.9),
        };
        var notes = $"Open loop at {Rate} msg/s: about every 1 ms the messages that fell due go out as one v1 batch (key-less, so round-robin over " +
                    $"{Partitions} partitions); {Partitions} consumers long-poll their partition (wait_ms=1000, max=1000). Latency = consumer has it − message was due. " +
                    $"Reference: sequential single-row INSERT+COMMIT on one connection to the same PostgreSQL. driver_send_lag = how late the driver " +
                    "sent a batch (its own scheduling on a busy machine); produce_ack = POST to acknowledgement (after commit)." +
                    (firstError is { } e ? $" First produce error: {e}" : "");
        ScenarioResult Line(string id, string label, double percentile, string? target, double? limit) => new()
        {
            Id = id,
            Name = $"{Name}: {label}",
            Value = Percentiles.Of(all, percentile),
            Unit = "ms",
            ReferenceName = $"one durable commit, {label}",
            Reference = Percentiles.Of(commits, percentile),
            ReferenceUnit = "ms",
            Ratio = Percentiles.Of(all, percentile) / Percentiles.Of(commits, percentile),
            Target = target,
            TargetMet = limit is { } l ? Percentiles.Of(all, percentile) < l : null,
            Details = details,
            Notes = notes,
        };
        return
        [
            Line("4.p50", "p50", 50, null, null),
            Line("4.p99", "p99", 99, "< 10 ms", 10),
            Line("4.p999", "p99.9", 99.9, null, null),
        ];
    }

    /// <summary>When message k was due (Stopwatch ticks): the schedule the pacer follows.</summary>
    private static long Due(long k, long origin) => origin + (long)(k * (double)Stopwatch.Frequency / Rate);

    private static byte[] Batch(long first, long count, long origin)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("messages");
            for (var k = first; k < first + count; k++)
            {
                writer.WriteStartObject();
                writer.WriteString("value", Payloads.Timestamped(Due(k, origin)));
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
