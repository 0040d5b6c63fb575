using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Akka.Cluster;
using Queue.Core.Log;

namespace Queue.Core.Diagnostics;

/// <summary>
/// Every <c>akkaqueue.*</c> instrument (docs/operations.md lists them with units and labels).
/// One static meter per process: instruments are cheap to record when nobody listens and the
/// node's OpenTelemetry provider exports them at <c>/metrics</c>.
/// </summary>
/// <remarks>
/// Hot paths record counters and histograms only (a few atomic adds). Gauges that need state
/// owned by actors — hosted partitions, consumer lag — read what the partitions published when
/// they last committed (<see cref="PartitionGauge"/>), so a scrape never asks an actor anything.
/// Several nodes in one process (in-process tests) share the meter and so the registries.
/// </remarks>
public static class QueueMetrics
{
    public const string MeterName = "AkkaQueue";

    private static readonly Meter Meter = new(MeterName);

    // Seconds from sub-millisecond (an in-memory journal) to the request timeout's range.
    private static readonly IReadOnlyList<double> SecondsBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly IReadOnlyList<int> BatchBuckets = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    private static readonly Counter<long> Produced = Meter.CreateCounter<long>(
        "akkaqueue.messages.produced", "{message}", "Messages acknowledged to producers (committed), by topic");

    private static readonly Counter<long> Consumed = Meter.CreateCounter<long>(
        "akkaqueue.messages.consumed", "{message}", "Messages handed to readers (consume, consumer fetch, fetch by offset), by topic");

    private static readonly Histogram<double> ProduceDuration = Meter.CreateHistogram(
        "akkaqueue.produce.duration", "s", "Time from a produce request reaching the node's request logic to its acknowledgement",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    private static readonly Histogram<double> ConsumeDuration = Meter.CreateHistogram(
        "akkaqueue.consume.duration", "s", "Time to answer a consume or fetch request, empty answers and long-poll waits included",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    private static readonly Histogram<double> JournalWriteDuration = Meter.CreateHistogram(
        "akkaqueue.journal.write.duration", "s", "One partition group commit: from handing the batch to the journal to its commit",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    private static readonly Histogram<int> JournalBatchSize = Meter.CreateHistogram(
        "akkaqueue.journal.write.batch_size", "{message}", "Messages in one partition group commit (0 for position moves only)",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchBuckets });

    private static readonly UpDownCounter<long> AsksInFlight = Meter.CreateUpDownCounter<long>(
        "akkaqueue.asks.in_flight", "{ask}", "Partition asks from this node waiting for their answer");

    private static readonly Counter<long> AskTimeouts = Meter.CreateCounter<long>(
        "akkaqueue.asks.timeouts", "{ask}", "Asks that got no answer within their deadline, by target (partition, catalogue)");

    private static readonly Counter<long> Unavailable = Meter.CreateCounter<long>(
        "akkaqueue.http.unavailable", "{response}", "Retry-later answers (503, and 429 on /v1), by cause");

    private static readonly ConcurrentDictionary<PartitionId, PartitionGauge> Partitions = new();

    private static volatile Akka.Cluster.Cluster? _cluster;

    static QueueMetrics()
    {
        Meter.CreateObservableGauge("akkaqueue.partitions.hosted", () => Partitions.Count, "{partition}",
            "Partition actors running on this node (recovered and not stopped)");
        Meter.CreateObservableGauge("akkaqueue.consumer.lag", ObserveLag, "{message}",
            "Messages behind the high-water mark, by topic and consumer, over the partitions hosted on this node");
        Meter.CreateObservableGauge("akkaqueue.cluster.members", ObserveMembers, "{member}",
            "Cluster members as this node sees them, by status (up, joining, leaving, ..., unreachable)");
    }

    public static long Now() => Stopwatch.GetTimestamp();

    public static void MessagesProduced(string topic, int count, long startedAt)
    {
        var tag = new KeyValuePair<string, object?>("topic", topic);
        Produced.Add(count, tag);
        ProduceDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, tag);
    }

    public static void MessagesConsumed(string topic, int count, long startedAt)
    {
        var tag = new KeyValuePair<string, object?>("topic", topic);
        if (count > 0)
        {
            Consumed.Add(count, tag);
        }
        ConsumeDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, tag);
    }

    public static void JournalWritten(long startedAt, int messages)
    {
        JournalWriteDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds);
        JournalBatchSize.Record(messages);
    }

    public static void AskStarted() => AsksInFlight.Add(1);

    public static void AskEnded() => AsksInFlight.Add(-1);

    public static void AskTimedOut(string target) => AskTimeouts.Add(1, new KeyValuePair<string, object?>("target", target));

    /// <param name="cause">A literal: <c>unavailable</c>, <c>overloaded</c>, <c>not_ready</c>.</param>
    public static void Refused(string cause) => Unavailable.Add(1, new KeyValuePair<string, object?>("cause", cause));

    /// <summary>A partition actor recovered here; it publishes its state to the returned gauge.</summary>
    public static PartitionGauge PartitionStarted(PartitionId id)
    {
        var gauge = new PartitionGauge(id);
        Partitions[id] = gauge;
        return gauge;
    }

    /// <summary>The partition stopped; removes its gauge unless a newer incarnation replaced it.</summary>
    public static void PartitionStopped(PartitionGauge gauge) =>
        Partitions.TryRemove(new KeyValuePair<PartitionId, PartitionGauge>(gauge.Id, gauge));

    /// <summary>The cluster whose members <c>akkaqueue.cluster.members</c> counts: the node's own, set once it runs.</summary>
    public static void TrackCluster(Akka.Cluster.Cluster? cluster) => _cluster = cluster;

    private static IEnumerable<Measurement<long>> ObserveLag()
    {
        var lag = new Dictionary<(string Topic, long Consumer), long>();
        foreach (var gauge in Partitions.Values)
        {
            var (logStart, highWatermark, positions) = gauge.Read();
            foreach (var (consumer, position) in positions)
            {
                var key = (gauge.Id.Topic, consumer);
                lag[key] = lag.GetValueOrDefault(key) + Math.Max(0, highWatermark - Math.Max(position, logStart));
            }
        }
        return lag.Select(kv => new Measurement<long>(kv.Value,
            new KeyValuePair<string, object?>("topic", kv.Key.Topic), new KeyValuePair<string, object?>("consumer", kv.Key.Consumer)));
    }

    private static IEnumerable<Measurement<int>> ObserveMembers()
    {
        if (_cluster is not { } cluster)
        {
            return [];
        }
        var state = cluster.State;
        return state.Members
            .GroupBy(m => state.Unreachable.Contains(m) ? "unreachable" : m.Status.ToString().ToLowerInvariant())
            .Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("status", g.Key)));
    }
}
